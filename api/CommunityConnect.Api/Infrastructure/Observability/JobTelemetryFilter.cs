using System.Diagnostics;
using Hangfire.Server;

namespace CommunityConnect.Api.Infrastructure.Observability;

/// <summary>
/// One span and one duration per job performance, named by the job's class and method. The span
/// is current while the job runs, so the job's logs carry its trace id and its writes sit under it.
/// Job arguments are ids and never become tags.
/// </summary>
internal sealed class JobTelemetryFilter : IServerFilter
{
    private const string ActivityKey = "cc.telemetry.activity";
    private const string StartedKey = "cc.telemetry.started";

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob.Job;
        var activity = Telemetry.Jobs.StartActivity($"job {job.Type.Name}", ActivityKind.Internal, parentContext: default);
        if (activity is not null)
        {
            activity.SetTag("job.type", job.Type.Name);
            activity.SetTag("job.method", job.Method.Name);
            activity.SetTag("job.id", context.BackgroundJob.Id);
            if (context.GetJobParameter<string>("RecurringJobId") is { } recurring)
            {
                activity.SetTag("job.recurring_id", recurring);
            }
            context.Items[ActivityKey] = activity;
        }
        context.Items[StartedKey] = Stopwatch.GetTimestamp();
    }

    public void OnPerformed(PerformedContext context)
    {
        var failed = context.Exception is not null && !context.ExceptionHandled;
        if (context.Items.TryGetValue(StartedKey, out var started) && started is long timestamp)
        {
            Telemetry.JobDuration.Record(Stopwatch.GetElapsedTime(timestamp).TotalSeconds,
                new KeyValuePair<string, object?>("job.type", context.BackgroundJob.Job.Type.Name),
                new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded"));
        }
        if (context.Items.TryGetValue(ActivityKey, out var value) && value is Activity activity)
        {
            if (failed)
            {
                activity.Failed(context.Exception!.InnerException ?? context.Exception);
            }
            activity.Stop();
        }
    }
}
