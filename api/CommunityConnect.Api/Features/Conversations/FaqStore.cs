using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>A community's FAQ: read by the assistant and its members, replaced whole by the residents' committee.</summary>
public sealed class FaqStore(Database database, TimeProvider time)
{
    private sealed class Row
    {
        public long Id { get; init; }
        public string Question { get; init; } = "";
        public string Answer { get; init; } = "";
        public string Keywords { get; init; } = "";
        public string? Category { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    public async Task<Faq> GetAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<Row>(
            """
            SELECT id AS Id, question AS Question, answer AS Answer, keywords AS Keywords, category AS Category, updated_at AS UpdatedAt
            FROM community_faq WHERE community_id = @communityId ORDER BY position;
            """, new { communityId })).ToList();
        return new Faq(communityId, rows.Select(r => new FaqEntry(r.Id, r.Question, r.Answer, Split(r.Keywords), r.Category)).ToList(),
            rows.Count == 0 ? null : rows.Max(r => r.UpdatedAt));
    }

    /// <summary>Replaces the community's FAQ with <paramref name="entries"/> (already checked), in one unit of work.</summary>
    public Task<Faq> ReplaceAsync(long communityId, long userId, IReadOnlyList<FaqEntryInput> entries) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            await connection.ExecuteAsync("DELETE FROM community_faq WHERE community_id = @communityId;", new { communityId }, transaction);
            var saved = new List<FaqEntry>(entries.Count);
            for (var position = 0; position < entries.Count; position++)
            {
                var entry = entries[position];
                var keywords = entry.Keywords!.Select(k => k!.Trim()).Where(k => k.Length > 0).Distinct().ToList();
                var id = await connection.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO community_faq (community_id, position, category, question, keywords, answer, updated_at, updated_by)
                    VALUES (@communityId, @position, @Category, @question, @keywords, @answer, @now, @userId)
                    RETURNING id;
                    """,
                    new
                    {
                        communityId, position, entry.Category, question = entry.Question!.Trim(), keywords = string.Join('\n', keywords),
                        answer = entry.Answer!.Trim(), now, userId,
                    }, transaction);
                saved.Add(new FaqEntry(id, entry.Question.Trim(), entry.Answer.Trim(), keywords, entry.Category));
            }
            return new Faq(communityId, saved, entries.Count == 0 ? null : now);
        });

    private static IReadOnlyList<string> Split(string keywords) => keywords.Length == 0 ? [] : keywords.Split('\n');
}

/// <summary>
/// Finds the FAQ entry that answers a question: an entry of the question's category (or of none)
/// whose keywords appear in the question, or share a word with it. Words come from jieba (the
/// analyser's segmenter): a question is asked rarely enough to afford its ~100 µs, and matching
/// whole words keeps 电费 from matching 物业费. Keywords are matched on the same normalised text as
/// the analyser's lexicons (NFKC, simplified), so a full-width or traditional spelling still finds them.
/// </summary>
public sealed class FaqMatcher(IntakeAnalyser analyser)
{
    /// <summary>The best entry, or null when none shares a keyword with the question.</summary>
    public FaqEntry? Match(Faq faq, string question, string category)
    {
        if (faq.Entries.Count == 0 || !analyser.IsReady)
        {
            return null;
        }
        var engine = analyser.Engine;
        var text = engine.Normalise(question);
        var words = analyser.Segmenter?.Words(text).ToHashSet() ?? [];
        FaqEntry? best = null;
        var bestScore = 0;
        foreach (var entry in faq.Entries)
        {
            if (entry.Category is not null && entry.Category != category && category != "other")
            {
                continue;
            }
            var score = 0;
            foreach (var keyword in entry.Keywords)
            {
                var normalised = engine.Normalise(keyword);
                if (normalised.Length > 0 && (text.Contains(normalised, StringComparison.Ordinal) || words.Contains(normalised)))
                {
                    score += 2;
                }
            }
            if (score == 0)
            {
                continue;
            }
            // The words of the entry's own question break ties between entries that share a keyword.
            var questionText = engine.Normalise(entry.Question);
            score += words.Count(w => questionText.Contains(w, StringComparison.Ordinal));
            if (entry.Category == category)
            {
                score += 1;
            }
            if (score > bestScore)
            {
                best = entry;
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>The checks of a new FAQ that attributes cannot say: no null entries or keywords, keywords 1 to 20 characters.</summary>
    public static Dictionary<string, string[]> Check(FaqInput input)
    {
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < input.Entries!.Count; i++)
        {
            var entry = input.Entries[i];
            if (entry is null)
            {
                errors[$"entries[{i}]"] = ["entries may not contain null."];
                continue;
            }
            if (entry.Keywords is null)
            {
                continue;
            }
            for (var k = 0; k < entry.Keywords.Count; k++)
            {
                var keyword = entry.Keywords[k];
                if (keyword is null || UserText.Length(keyword.Trim()) is < 1 or > FaqLimits.MaxKeywordLength)
                {
                    errors[$"entries[{i}].keywords[{k}]"] = [$"A keyword is 1 to {FaqLimits.MaxKeywordLength} characters."];
                }
            }
        }
        return errors;
    }
}
