namespace CommunityConnect.Api.Features.Intake;

/// <summary>What the conversation asks of a reading: where, who is named, anonymity, short answers.</summary>
public sealed partial class IntakeEngine
{
    private sealed partial class Reading
    {
        public bool Has(LexiconGroup group, byte section)
        {
            foreach (var f in _found)
            {
                if (f.Is(group, section) && !f.Negated)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Unit if a room number was given; else the first of "my home" and a common area.</summary>
        public (PlaceKind Kind, string? CommonArea) Place(bool hasUnit)
        {
            var kind = hasUnit ? PlaceKind.Unit : PlaceKind.None;
            string? area = null;
            foreach (var f in _found)
            {
                if (f.Hidden || f.Entry.Group != LexiconGroup.Place)
                {
                    continue;
                }
                if (f.Entry.Section == LexiconSections.CommonArea)
                {
                    area ??= Text.Substring(f.Start, f.Length);
                    if (kind == PlaceKind.None)
                    {
                        kind = PlaceKind.CommonArea;
                    }
                }
                else if (kind == PlaceKind.None)
                {
                    kind = PlaceKind.Home;
                }
            }
            return (kind, area);
        }

        public IReadOnlyList<IntakeKeyword> Keywords(string[] groups, IReadOnlyList<string>[] sections)
        {
            var list = new List<IntakeKeyword>();
            foreach (var f in _found)
            {
                if (!f.Hidden)
                {
                    var group = (int)f.Entry.Group;
                    list.Add(new IntakeKeyword(_lexicon.Terms[f.Term], groups[group], sections[group][f.Entry.Section], f.Entry.Weight,
                        f.Start, f.Length, f.Negated));
                }
            }
            return list;
        }

        public IReadOnlyList<string> MentionedBodies()
        {
            var list = new List<string>(3);
            foreach (var f in _found)
            {
                if (!f.Hidden && f.Entry.Group == LexiconGroup.Body)
                {
                    var body = LexiconSections.BodyFile[f.Entry.Section];
                    if (!list.Contains(body))
                    {
                        list.Add(body);
                    }
                }
            }
            return list;
        }

        public string? AddressedBody()
        {
            foreach (var f in _found)
            {
                if (!f.Hidden && f.Entry.Group == LexiconGroup.Body && f.Start > 0
                    && (Text[f.Start - 1] == '@' || (f.Start > 1 && Text[f.Start - 1] == ' ' && Text[f.Start - 2] == '@')))
                {
                    return LexiconSections.BodyFile[f.Entry.Section];
                }
            }
            return null;
        }

        /// <summary>Yes, no or cancel, for a short answer only (a long message is a message, not an answer).</summary>
        public DialogueAct Act()
        {
            var han = 0;
            foreach (var c in Text)
            {
                if (c is >= '\u4e00' and <= '\u9fff')
                {
                    han++;
                }
            }
            if (han > 8)
            {
                return DialogueAct.None;
            }
            var act = DialogueAct.None;
            foreach (var f in _found)
            {
                if (f.Hidden || f.Entry.Group != LexiconGroup.Dialogue)
                {
                    continue;
                }
                var this_ = f.Entry.Section switch
                {
                    LexiconSections.Cancel => DialogueAct.Cancel,
                    LexiconSections.No => DialogueAct.No,
                    _ => DialogueAct.Yes,
                };
                // Cancel over no over yes: "算了,不用了" cancels even after "好".
                if (act == DialogueAct.None || this_ > act)
                {
                    act = this_;
                }
            }
            return act;
        }
    }
}
