using System.Text.Json;
using System.Text.Json.Serialization;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>One line of a labelled corpus (TAXONOMY.md "Corpus format").</summary>
public sealed record LabelledMessage(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("intent")] string Intent,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("responsibleBody")] string ResponsibleBody,
    [property: JsonPropertyName("building")] string? Building,
    [property: JsonPropertyName("unit")] string? Unit,
    [property: JsonPropertyName("urgent")] bool Urgent);

/// <summary>
/// The labelled corpora under Data/intake: corpus.jsonl (the project's 240 messages) and
/// cases.jsonl (our own cases: other words, colloquial, Shanghainese, typos, negation, hedges).
/// The statistical part trains on both at start-up.
/// </summary>
public static class LabelledCorpus
{
    public const string CorpusFile = "corpus.jsonl";
    public const string CasesFile = "cases.jsonl";

    public static IReadOnlyList<LabelledMessage> Read(string path)
    {
        var list = new List<LabelledMessage>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var message = JsonSerializer.Deserialize<LabelledMessage>(line)
                          ?? throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: empty.");
            if (!Intents.All.Contains(message.Intent) || !Cases.Taxonomy.IsCategory(message.Category))
            {
                throw new InvalidDataException($"{Path.GetFileName(path)} line {number}: unknown intent or category.");
            }
            list.Add(message);
        }
        return list;
    }

    /// <summary>The messages the product trains on: every line of both files.</summary>
    public static IReadOnlyList<LabelledMessage> ReadTraining(string folder) =>
        [.. Read(Path.Combine(folder, CorpusFile)), .. Read(Path.Combine(folder, CasesFile))];
}
