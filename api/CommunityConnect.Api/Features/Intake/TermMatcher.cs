namespace CommunityConnect.Api.Features.Intake;

/// <summary>One occurrence of a term in a text: where, and which term (an index the builder gave it).</summary>
public readonly record struct TermHit(int Start, int Length, int Term)
{
    public int End => Start + Length;
}

/// <summary>
/// Aho–Corasick over a set of terms: finds every occurrence of every term in one pass over the text,
/// however many terms there are (the lexicons hold a few thousand), so the analyser's cost does not
/// grow with what a community worker adds to them.
/// </summary>
public sealed class TermMatcher
{
    // Transitions of the trie as one table keyed by (state, char): compact and allocation-free to read.
    private readonly Dictionary<long, int> _next;
    // The root's transitions as a direct table: most characters of a message start no term, and
    // the search falls back to the root after almost every one of them.
    private readonly int[] _root;
    private readonly int[] _fail;
    // Terms ending at each state (its own and, through the failure links, its suffixes').
    private readonly int[][] _output;
    private readonly int[] _termLengths;

    private TermMatcher(Dictionary<long, int> next, int[] fail, int[][] output, int[] termLengths)
    {
        _next = next;
        _root = new int[char.MaxValue + 1];
        foreach (var (key, state) in next)
        {
            if (key >> 16 == 0)
            {
                _root[(char)key] = state;
            }
        }
        _fail = fail;
        _output = output;
        _termLengths = termLengths;
    }

    public int TermCount => _termLengths.Length;

    /// <summary>Builds the automaton; term i of <paramref name="terms"/> is reported as index i.</summary>
    public static TermMatcher Build(IReadOnlyList<string> terms)
    {
        var next = new Dictionary<long, int>();
        var ends = new List<List<int>?> { null };
        var children = new List<List<(char Char, int State)>> { new() };
        for (var t = 0; t < terms.Count; t++)
        {
            var state = 0;
            foreach (var c in terms[t])
            {
                if (!next.TryGetValue(Key(state, c), out var child))
                {
                    child = ends.Count;
                    ends.Add(null);
                    children.Add([]);
                    next[Key(state, c)] = child;
                    children[state].Add((c, child));
                }
                state = child;
            }
            if (terms[t].Length > 0)
            {
                (ends[state] ??= []).Add(t);
            }
        }

        var fail = new int[ends.Count];
        var output = new int[ends.Count][];
        output[0] = [];
        var queue = new Queue<int>();
        foreach (var (_, child) in children[0])
        {
            fail[child] = 0;
            queue.Enqueue(child);
        }
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            var own = ends[state] ?? [];
            output[state] = [.. own, .. output[fail[state]]];
            foreach (var (c, child) in children[state])
            {
                var f = fail[state];
                while (f != 0 && !next.ContainsKey(Key(f, c)))
                {
                    f = fail[f];
                }
                fail[child] = next.TryGetValue(Key(f, c), out var target) && target != child ? target : 0;
                queue.Enqueue(child);
            }
        }
        return new TermMatcher(next, fail, output, terms.Select(t => t.Length).ToArray());
    }

    private static long Key(int state, char c) => ((long)state << 16) | c;

    /// <summary>Every occurrence, in order of where it ends (overlapping ones included).</summary>
    public void FindAll(ReadOnlySpan<char> text, List<TermHit> hits)
    {
        var state = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            while (true)
            {
                if (state == 0)
                {
                    state = _root[c];
                    break;
                }
                if (_next.TryGetValue(Key(state, c), out var target))
                {
                    state = target;
                    break;
                }
                state = _fail[state];
            }
            foreach (var term in _output[state])
            {
                var length = _termLengths[term];
                hits.Add(new TermHit(i - length + 1, length, term));
            }
        }
    }
}
