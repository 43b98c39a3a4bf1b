namespace CommunityConnect.Jobs.Surveys;

/// <summary>Implemented by the api's survey results store.</summary>
public interface ISurveyClosing
{
    /// <summary>Open surveys whose closing time has passed.</summary>
    Task<IReadOnlyList<long>> DueAsync(CancellationToken cancellationToken);

    /// <summary>Closes one survey and publishes its results, if it is still open and due; false when another run already did.</summary>
    Task<bool> CloseAsync(long surveyId, CancellationToken cancellationToken);
}

/// <summary>
/// Closes 民主评议 surveys at their closing time and publishes their results. It rebuilds its work
/// from the surveys table and each close is guarded by the state it expects, so running it twice, or
/// late after a restart, closes and publishes each survey once.
/// </summary>
public sealed class CloseDueSurveysJob(ISurveyClosing surveys)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var closed = 0;
        foreach (var surveyId in await surveys.DueAsync(cancellationToken))
        {
            if (await surveys.CloseAsync(surveyId, cancellationToken))
            {
                closed++;
            }
        }
        return closed;
    }
}
