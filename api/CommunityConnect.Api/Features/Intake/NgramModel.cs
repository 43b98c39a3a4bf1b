namespace CommunityConnect.Api.Features.Intake;

/// <summary>One labelled message for training: normalised text, intent index, category index.</summary>
public readonly record struct TrainingExample(string Text, int Intent, int Category);

/// <summary>
/// The statistical part of the analyser: two softmax (multinomial logistic) regressions, one for
/// the intent and one for the category, over the characters, character pairs and words of a
/// message. Trained at start-up on the labelled corpus in milliseconds; predicting costs a few
/// dictionary look-ups and multiply-adds per feature (about 2 µs for a chat message).
/// Words come from a vocabulary the segmenter (jieba) cut from the training messages; at
/// prediction time they are found with a <see cref="TermMatcher"/>, not by segmenting again.
/// </summary>
public sealed class NgramModel
{
    private readonly FeatureSpace _space;
    private readonly float[] _intentWeights;
    private readonly float[] _categoryWeights;
    private readonly int _intents;
    private readonly int _categories;

    private NgramModel(FeatureSpace space, float[] intentWeights, float[] categoryWeights, int intents, int categories)
    {
        _space = space;
        _intentWeights = intentWeights;
        _categoryWeights = categoryWeights;
        _intents = intents;
        _categories = categories;
    }

    public int FeatureCount => _space.Count;

    public int IntentCount => _intents;

    public int CategoryCount => _categories;

    /// <summary>Trains both heads; deterministic for the same examples and vocabulary.</summary>
    public static NgramModel Train(IReadOnlyList<TrainingExample> examples, IReadOnlyList<string> vocabulary, int intents, int categories,
        int epochs = 25, float learningRate = 0.4f, float l2 = 1e-4f)
    {
        var space = new FeatureSpace(vocabulary);
        var encoded = new List<int[]>(examples.Count);
        var ids = new List<int>();
        foreach (var example in examples)
        {
            ids.Clear();
            space.Extract(example.Text, ids, grow: true);
            encoded.Add([.. ids]);
        }
        var features = space.Count;
        // One extra row per head for the bias.
        var intentWeights = new float[(features + 1) * intents];
        var categoryWeights = new float[(features + 1) * categories];
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var random = new Random(20261123);
        var intentSquares = new float[intentWeights.Length];
        var categorySquares = new float[categoryWeights.Length];
        var probabilities = new float[Math.Max(intents, categories)];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var e in order)
            {
                var row = encoded[e];
                Step(row, examples[e].Intent, intentWeights, intentSquares, intents, features, learningRate, l2, probabilities);
                Step(row, examples[e].Category, categoryWeights, categorySquares, categories, features, learningRate, l2, probabilities);
            }
        }
        return new NgramModel(space, intentWeights, categoryWeights, intents, categories);
    }

    private static void Step(int[] ids, int label, float[] weights, float[] squares, int classes, int bias, float rate, float l2, float[] probabilities)
    {
        var scale = ids.Length == 0 ? 1f : 1f / MathF.Sqrt(ids.Length);
        var p = probabilities.AsSpan(0, classes);
        Score(ids, weights, classes, bias, scale, p);
        Softmax(p);
        for (var c = 0; c < classes; c++)
        {
            var gradient = p[c] - (c == label ? 1f : 0f);
            foreach (var id in ids)
            {
                Update(weights, squares, id * classes + c, gradient * scale, rate, l2);
            }
            Update(weights, squares, bias * classes + c, gradient, rate, 0f);
        }
    }

    private static void Update(float[] weights, float[] squares, int at, float gradient, float rate, float l2)
    {
        var g = gradient + l2 * weights[at];
        squares[at] += g * g;
        weights[at] -= rate * g / (MathF.Sqrt(squares[at]) + 1e-6f);
    }

    private static void Score(ReadOnlySpan<int> ids, float[] weights, int classes, int bias, float scale, Span<float> scores)
    {
        for (var c = 0; c < classes; c++)
        {
            scores[c] = weights[bias * classes + c];
        }
        foreach (var id in ids)
        {
            if (id < 0)
            {
                continue;
            }
            var row = weights.AsSpan(id * classes, classes);
            for (var c = 0; c < classes; c++)
            {
                scores[c] += row[c] * scale;
            }
        }
    }

    private static void Softmax(Span<float> scores)
    {
        var max = float.MinValue;
        foreach (var s in scores)
        {
            max = MathF.Max(max, s);
        }
        var sum = 0f;
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = MathF.Exp(scores[c] - max);
            sum += scores[c];
        }
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] /= sum;
        }
    }

    /// <summary>Probabilities of each intent and each category for a normalised text.</summary>
    public void Predict(string text, Span<float> intentProbabilities, Span<float> categoryProbabilities)
    {
        var ids = Scratch.Ids;
        ids.Clear();
        _space.Extract(text, ids, grow: false);
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        // Unknown features (-1) carry no weight, but they still dilute, as in training.
        var scale = span.Length == 0 ? 1f : 1f / MathF.Sqrt(span.Length);
        Score(span, _intentWeights, _intents, _space.Count, scale, intentProbabilities);
        Softmax(intentProbabilities);
        Score(span, _categoryWeights, _categories, _space.Count, scale, categoryProbabilities);
        Softmax(categoryProbabilities);
    }

    /// <summary>Per-thread scratch lists, so predicting allocates nothing.</summary>
    private static class Scratch
    {
        [ThreadStatic]
        private static List<int>? _ids;
        [ThreadStatic]
        private static List<TermHit>? _hits;

        public static List<int> Ids => _ids ??= new List<int>(256);

        public static List<TermHit> Hits => _hits ??= new List<TermHit>(64);
    }

    /// <summary>
    /// The features of a text and their ids: each letter or digit (digits as one symbol), each pair
    /// of neighbours within a run of them, and each vocabulary word found. Letters index a table,
    /// pairs a dictionary keyed by both characters, words the matcher's term numbers.
    /// </summary>
    private sealed class FeatureSpace
    {
        private readonly int[] _unigrams = new int[char.MaxValue + 1];
        private readonly Dictionary<uint, int> _bigrams = [];
        private readonly TermMatcher? _words;
        private readonly int[] _wordIds;

        public FeatureSpace(IReadOnlyList<string> vocabulary)
        {
            Array.Fill(_unigrams, -1);
            _words = vocabulary.Count > 0 ? TermMatcher.Build(vocabulary) : null;
            _wordIds = new int[vocabulary.Count];
            Array.Fill(_wordIds, -1);
        }

        public int Count { get; private set; }

        public void Extract(string text, List<int> ids, bool grow)
        {
            var previous = '\0';
            foreach (var raw in text)
            {
                var c = raw is >= '0' and <= '9' ? '0' : raw;
                if (!(c is >= '\u4e00' and <= '\u9fff' or >= 'a' and <= 'z' or '0') && !char.IsLetterOrDigit(c) && !char.IsSurrogate(c))
                {
                    previous = '\0';
                    continue;
                }
                ref var unigram = ref _unigrams[c];
                ids.Add(unigram >= 0 || !grow ? unigram : unigram = Count++);
                if (previous != '\0')
                {
                    var key = ((uint)previous << 16) | c;
                    if (_bigrams.TryGetValue(key, out var id))
                    {
                        ids.Add(id);
                    }
                    else if (grow)
                    {
                        _bigrams[key] = Count;
                        ids.Add(Count++);
                    }
                    else
                    {
                        ids.Add(-1);
                    }
                }
                previous = c;
            }
            if (_words is null)
            {
                return;
            }
            var hits = Scratch.Hits;
            hits.Clear();
            _words.FindAll(text, hits);
            foreach (var hit in hits)
            {
                ref var word = ref _wordIds[hit.Term];
                ids.Add(word >= 0 || !grow ? word : word = Count++);
            }
        }
    }
}
