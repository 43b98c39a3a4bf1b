using CommunityConnect.Api.Features.Cases;

namespace CommunityConnect.Api.Features.Intake;

public sealed partial class IntakeEngine
{
    /// <summary>A lexicon word found in the text with one of its meanings, and what its neighbours do to it.</summary>
    private struct Found
    {
        public int Start;
        public int Length;
        public int Term;
        public LexiconEntry Entry;
        public bool Hidden;
        public bool Negated;
        public bool Discounted;

        public readonly int End => Start + Length;

        public readonly bool Is(LexiconGroup group, byte section) => !Hidden && Entry.Group == group && Entry.Section == section;
    }

    /// <summary>Left to right; at one position the longest word first.</summary>
    private readonly struct ByStartThenLongest : IComparer<Found>
    {
        public int Compare(Found a, Found b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length);
    }

    /// <summary>Per-thread scratch collections, so reading a message allocates little.</summary>
    private static class Scratch
    {
        [ThreadStatic]
        private static List<TermHit>? _hits;
        [ThreadStatic]
        private static HashSet<long>? _counted;

        public static List<TermHit> Hits => _hits ??= new List<TermHit>(128);

        public static HashSet<long> Counted => _counted ??= new HashSet<long>(128);
    }

    /// <summary>One message being read: the words found, the clauses and sentences they sit in, the tallies.</summary>
    private sealed partial class Reading(string text, IntakeLexicon lexicon)
    {
        // Characters that end a clause (negation and hedges never reach past them) and a sentence.
        private static readonly System.Buffers.SearchValues<char> ClauseBreaks =
            System.Buffers.SearchValues.Create(",、;:!?。.\n ~…()[]【】\"'“”‘’<>《》|/");
        private static readonly System.Buffers.SearchValues<char> SentenceBreaks = System.Buffers.SearchValues.Create(";!?。\n…");
        // Characters that carry no content of their own: a message of only these and cue words has no description.
        private static readonly System.Buffers.SearchValues<char> FunctionChars =
            System.Buffers.SearchValues.Create("我你他她它们的了个要想有是在这那一吧呢吗啊呀哦嗯就也都还很太请问下点些么给和跟把被让");

        private readonly IntakeLexicon _lexicon = lexicon;
        private readonly List<Found> _found = [];
        // Indexes of the hedges, past markers and "it is over" words: few, and asked about often.
        private readonly List<int> _modifiers = [];
        private int[] _clause = [];
        private int[] _sentence = [];

        public string Text { get; } = text;

        public float[] IntentCues { get; } = new float[LexiconSections.IntentFile.Count];

        public float[] CategoryScores { get; } = new float[Taxonomy.Categories.Count];

        public float[]? CategoryModel { get; set; }

        /// <summary>The strongest category's lexicon weight (0 when no category word was found).</summary>
        public float CategoryEvidence { get; private set; }

        public float Problem { get; private set; }

        public bool ProblemNegated { get; private set; }

        public float Blame { get; private set; }

        public bool BlamesProperty { get; private set; }

        public int QuestionMarks { get; private set; }

        public string? UrgentCue { get; private set; }

        public bool DangerDiscounted { get; private set; }

        public bool HasDescription { get; private set; }

        /// <summary>The urgency came from gas and a sign that it leaks.</summary>
        public bool UrgentFromGas { get; private set; }

        /// <summary>The category with the most lexicon weight, or null when none has any.</summary>
        public string? TopRuleCategory
        {
            get
            {
                var best = -1;
                for (var c = 0; c < CategoryScores.Length - 1; c++)
                {
                    if (CategoryScores[c] > 0 && (best < 0 || CategoryScores[c] > CategoryScores[best]))
                    {
                        best = c;
                    }
                }
                return best < 0 ? null : Taxonomy.Categories[best];
            }
        }

        /// <summary>The urgency came from a whole building or estate without power.</summary>
        public bool WholeOutage { get; private set; }

        public void Find()
        {
            var hits = Scratch.Hits;
            hits.Clear();
            _lexicon.Matcher.FindAll(Text, hits);
            foreach (var hit in hits)
            {
                foreach (var entry in _lexicon.Entries[hit.Term])
                {
                    _found.Add(new Found { Start = hit.Start, Length = hit.Length, Term = hit.Term, Entry = entry });
                }
            }
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_found).Sort(default(ByStartThenLongest));
            // Within one file a longer word hides the shorter ones inside it: 楼道灯 over 楼道 and 灯,
            // 有没有 over 没有, 打不着火 over 著火. A word that hides another starts at most the
            // longest term's length before it, so only those neighbours are compared.
            var found = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_found);
            for (var i = 0; i < found.Length; i++)
            {
                for (var j = i - 1; j >= 0 && found[j].Start > found[i].Start - _lexicon.LongestTerm; j--)
                {
                    if (found[j].Entry.Group == found[i].Entry.Group && found[j].Length > found[i].Length && found[j].End >= found[i].End)
                    {
                        found[i].Hidden = true;
                        break;
                    }
                }
            }

            _clause = new int[Text.Length + 1];
            _sentence = new int[Text.Length + 1];
            int clause = 0, sentence = 0;
            for (var i = 0; i < Text.Length; i++)
            {
                _clause[i] = clause;
                _sentence[i] = sentence;
                if (ClauseBreaks.Contains(Text[i]))
                {
                    clause++;
                }
                if (SentenceBreaks.Contains(Text[i]))
                {
                    sentence++;
                }
            }
            _clause[Text.Length] = clause;
            _sentence[Text.Length] = sentence;
        }

        public void Modify()
        {
            var found = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_found);
            for (var i = 0; i < found.Length; i++)
            {
                if (!found[i].Hidden && found[i].Entry.Group == LexiconGroup.Modifier
                    && found[i].Entry.Section is LexiconSections.Hedge or LexiconSections.Past or LexiconSections.Over)
                {
                    _modifiers.Add(i);
                }
            }
            MarkNegations(found);

            var resolvedSentences = new List<int>(2);
            foreach (var f in found)
            {
                if (f.Is(LexiconGroup.Intent, LexiconSections.Resolved) && !f.Negated)
                {
                    resolvedSentences.Add(_sentence[f.Start]);
                }
            }

            var problemSeen = false;
            var propertyActorSentences = new List<int>(2);
            var blameSentences = new List<int>(2);
            // A word said twice is not twice the evidence ("修了又坏,修了又坏").
            var counted = Scratch.Counted;
            counted.Clear();
            foreach (ref var f in found)
            {
                if (f.Hidden || (f.Entry.Group is LexiconGroup.Category or LexiconGroup.Intent
                                 && !counted.Add(((long)f.Term << 16) | ((long)f.Entry.Group << 8) | f.Entry.Section)))
                {
                    continue;
                }
                var inResolved = resolvedSentences.Contains(_sentence[f.Start]);
                switch (f.Entry.Group)
                {
                    case LexiconGroup.Category:
                        CategoryScores[f.Entry.Section] += f.Entry.Weight * (inResolved ? 0.3f : 1f);
                        break;
                    case LexiconGroup.Intent when f.Entry.Section == LexiconSections.Problem:
                        problemSeen = true;
                        // 万一着火, 就怕哪天坏: a possible problem is no problem yet.
                        if (!f.Negated && !inResolved && !ModifiedBefore(found, f, LexiconSections.Hedge))
                        {
                            Problem += f.Entry.Weight;
                        }
                        break;
                    case LexiconGroup.Intent when f.Entry.Section == LexiconSections.Blame:
                        if (!f.Negated)
                        {
                            Blame += f.Entry.Weight;
                            blameSentences.Add(_sentence[f.Start]);
                        }
                        break;
                    case LexiconGroup.Intent when f.Entry.Section == LexiconSections.PropertyActor:
                        propertyActorSentences.Add(_sentence[f.Start]);
                        break;
                    case LexiconGroup.Intent when f.Entry.Section < LexiconSections.Problem || f.Entry.Section == LexiconSections.Resolved:
                        IntentCues[f.Entry.Section] += f.Entry.Weight;
                        break;
                }
            }
            ProblemNegated = problemSeen && Problem <= 0f && found.ToArray().Any(f => f.Negated && f.Is(LexiconGroup.Intent, LexiconSections.Problem));
            BlamesProperty = blameSentences.Exists(propertyActorSentences.Contains);
            for (var c = 0; c < CategoryScores.Length - 1; c++)
            {
                CategoryEvidence = MathF.Max(CategoryEvidence, CategoryScores[c]);
            }
            CountQuestionMarks();
            ReadUrgency(found);
            HasDescription = CategoryEvidence >= 1f || Problem > 0f || ContentCharacters(found) >= 4;
        }

        /// <summary>A negation word at most three characters before a word, in the same clause, negates it (没有漏水, 没人被困).</summary>
        private void MarkNegations(Span<Found> found)
        {
            for (var n = 0; n < found.Length; n++)
            {
                if (!found[n].Is(LexiconGroup.Modifier, LexiconSections.Negation))
                {
                    continue;
                }
                var negation = found[n];
                // Sorted by start: the words it may negate are just after it.
                for (var i = n + 1; i < found.Length && found[i].Start <= negation.End + 3; i++)
                {
                    ref var f = ref found[i];
                    if (f.Hidden || f.Entry.Group is LexiconGroup.Modifier || f.Start < negation.End || _clause[f.Start] != _clause[negation.Start])
                    {
                        continue;
                    }
                    f.Negated = true;
                }
            }
        }

        /// <summary>The last clause with words in it ends with a question mark or 吗/呢.</summary>
        public bool EndsWithQuestion { get; private set; }

        private void CountQuestionMarks()
        {
            for (var i = Text.Length - 1; i >= 0; i--)
            {
                var c = Text[i];
                if (c == '?' || c is '吗' or '呢')
                {
                    EndsWithQuestion = true;
                    break;
                }
                if (char.IsLetterOrDigit(c))
                {
                    break;
                }
            }
            for (var i = 0; i < Text.Length; i++)
            {
                var c = Text[i];
                var atEnd = i + 1 == Text.Length || (ClauseBreaks.Contains(Text[i + 1]) && Text[i + 1] != '?');
                if ((c == '?' && (i == 0 || Text[i - 1] != '?')) || (c is '吗' or '呢' && atEnd))
                {
                    QuestionMarks++;
                }
            }
        }

        /// <summary>Han characters that are neither cue words nor function words: what the message is about.</summary>
        private int ContentCharacters(Span<Found> found)
        {
            var covered = new bool[Text.Length];
            foreach (var f in found)
            {
                if (!f.Hidden && f.Entry.Group is LexiconGroup.Intent or LexiconGroup.Body or LexiconGroup.Dialogue or LexiconGroup.Cue)
                {
                    Array.Fill(covered, true, f.Start, f.Length);
                }
            }
            var count = 0;
            for (var i = 0; i < Text.Length; i++)
            {
                var c = Text[i];
                if (!covered[i] && c is >= '\u4e00' and <= '\u9fff' && !FunctionChars.Contains(c))
                {
                    count++;
                }
            }
            return count;
        }

    }
}
