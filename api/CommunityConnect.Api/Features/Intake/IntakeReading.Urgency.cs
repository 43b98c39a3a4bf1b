namespace CommunityConnect.Api.Features.Intake;

/// <summary>Urgency (TAXONOMY.md "Urgency"): dangers, gas, people trapped in a lift, whole buildings without power.</summary>
public sealed partial class IntakeEngine
{
    private sealed partial class Reading
    {
        /// <summary>
        /// Urgent when a danger word is meant now: not negated, not after a hedge (万一, 就怕) or a
        /// past marker (上个月) in its clause, and not followed by "it is over" (救出来了) in its
        /// sentence. Gas and a sign of a leak in one sentence are urgent (TAXONOMY.md). So is a
        /// whole building or estate without power.
        /// </summary>
        private void ReadUrgency(Span<Found> found)
        {
            for (var i = 0; i < found.Length; i++)
            {
                ref var f = ref found[i];
                if (f.Hidden || f.Entry.Group != LexiconGroup.Urgency || f.Entry.Section == LexiconSections.Safe)
                {
                    continue;
                }
                // Gas is urgent even after the resident closed the valve (TAXONOMY.md: always urgent).
                var gas = f.Entry.Section is LexiconSections.Gas or LexiconSections.GasSign;
                f.Discounted = f.Negated || ModifiedBefore(found, f, LexiconSections.Hedge) || ModifiedBefore(found, f, LexiconSections.Past)
                               || (!gas && OverAfter(found, f));
            }
            for (var i = 0; i < found.Length; i++)
            {
                if (found[i].Is(LexiconGroup.Urgency, LexiconSections.Outage) && !found[i].Discounted
                    && Partner(found, found[i], LexiconSections.Whole, sameClause: true) is { Discounted: false })
                {
                    WholeOutage = true;
                }
            }
            for (var i = 0; i < found.Length && UrgentCue is null; i++)
            {
                var f = found[i];
                if (f.Hidden || f.Entry.Group != LexiconGroup.Urgency)
                {
                    continue;
                }
                switch (f.Entry.Section)
                {
                    case LexiconSections.Danger:
                        if (f.Discounted)
                        {
                            DangerDiscounted = true;
                        }
                        else
                        {
                            UrgentCue = Text.Substring(f.Start, f.Length);
                        }
                        break;
                    case LexiconSections.Outage:
                        if (Partner(found, f, LexiconSections.Whole, sameClause: true) is { } whole)
                        {
                            if (f.Discounted || whole.Discounted)
                            {
                                DangerDiscounted = true;
                            }
                            else
                            {
                                UrgentCue = Span(whole, f);
                            }
                        }
                        break;
                    case LexiconSections.Lift:
                        // 电梯卡在8楼和9楼中间 ... 我和孩子在里面: a lift, someone inside, and stuck.
                        if (Partner(found, f, LexiconSections.Inside, sameClause: false, within: LiftReach) is { } inside
                            && Partner(found, f, LexiconSections.Stuck, sameClause: false, within: LiftReach) is { } stuck)
                        {
                            if (inside.Discounted || stuck.Discounted)
                            {
                                DangerDiscounted = true;
                            }
                            else
                            {
                                UrgentCue = Span(f, inside);
                            }
                        }
                        break;
                    case LexiconSections.Gas:
                        if (Partner(found, f, LexiconSections.GasSign, sameClause: false) is { } sign)
                        {
                            if (f.Discounted || sign.Discounted)
                            {
                                DangerDiscounted = true;
                            }
                            else
                            {
                                UrgentCue = Span(f, sign);
                                UrgentFromGas = true;
                            }
                        }
                        break;
                }
            }
        }

        private string Span(Found a, Found b)
        {
            var start = Math.Min(a.Start, b.Start);
            var end = Math.Max(a.End, b.End);
            return Text.Substring(start, end - start);
        }

        // "电梯突然停了!!我爸在里面": the lift, the person and the trouble may sit in different sentences.
        private const int LiftReach = 30;

        /// <summary>
        /// The nearest word of a section in the same clause (or sentence), not hidden; or, with
        /// <paramref name="within"/>, anywhere at most that many characters away.
        /// </summary>
        private Found? Partner(Span<Found> found, Found of, byte section, bool sameClause, int within = 0)
        {
            Found? best = null;
            var distance = int.MaxValue;
            foreach (var f in found)
            {
                if (!f.Is(LexiconGroup.Urgency, section))
                {
                    continue;
                }
                var d = Math.Abs(f.Start - of.Start);
                var together = within > 0 ? d <= within
                    : sameClause ? _clause[f.Start] == _clause[of.Start] : _sentence[f.Start] == _sentence[of.Start];
                if (together && d < distance)
                {
                    best = f;
                    distance = d;
                }
            }
            return best;
        }

        private bool ModifiedBefore(Span<Found> found, Found of, byte section)
        {
            foreach (var index in _modifiers)
            {
                var f = found[index];
                if (f.Entry.Section == section && f.End <= of.Start && _clause[f.Start] == _clause[of.Start])
                {
                    return true;
                }
            }
            return false;
        }

        private bool OverAfter(Span<Found> found, Found of)
        {
            foreach (var index in _modifiers)
            {
                var f = found[index];
                if (f.Entry.Section == LexiconSections.Over && f.Start >= of.End && _sentence[f.Start] == _sentence[of.Start])
                {
                    return true;
                }
            }
            return false;
        }
    }
}
