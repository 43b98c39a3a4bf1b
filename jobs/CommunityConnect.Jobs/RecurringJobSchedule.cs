using CommunityConnect.Jobs.ComplaintBox;
using CommunityConnect.Jobs.Housekeeping;
using Hangfire;

namespace CommunityConnect.Jobs;

/// <summary>The one place recurring jobs are registered, each under a stable id.</summary>
public static class RecurringJobSchedule
{
    public const string PurgeIdempotencyRecords = "idempotency-records-purge";
    public const string AutoCloseAnsweredOpinions = "opinions-auto-close";

    public static void Register(IRecurringJobManager manager)
    {
        manager.AddOrUpdate<PurgeExpiredIdempotencyRecordsJob>(
            PurgeIdempotencyRecords, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<AutoCloseAnsweredOpinionsJob>(
            AutoCloseAnsweredOpinions, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
    }
}
