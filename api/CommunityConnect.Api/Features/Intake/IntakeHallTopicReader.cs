using CommunityConnect.Api.Features.DiscussionHall;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>The hall's routing job reads threads with the intake analyser (the hall owns the interface).</summary>
public sealed class IntakeHallTopicReader(IntakeAnalyser analyser) : IHallTopicReader
{
    public Task WhenReady => analyser.WhenReady;

    public HallTopicReading? TryRead(string text) =>
        analyser.TryAnalyse(text, out var analysis)
            ? new HallTopicReading(analysis.Intent, analysis.Category, analysis.Building, analysis.Urgent)
            : null;
}
