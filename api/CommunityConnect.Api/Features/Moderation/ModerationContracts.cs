using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Moderation;

public sealed record SettingsInput([property: Required] bool? PreReview);

public sealed record WordInput(
    [property: Required, TextLength(20)] string? Text,
    [property: Required, OneOf(WordLevels.Block, WordLevels.Review)] string? Level);

public sealed record WordListInput([property: Required] IReadOnlyList<WordInput>? Words);

public sealed record WordListView(bool IsDefault, IReadOnlyList<ModerationWord> Words);
