using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Jobs.Housekeeping;
using Hangfire;

namespace CommunityConnect.Jobs;

/// <summary>The one place recurring jobs are registered, each under a stable id.</summary>
public static class RecurringJobSchedule
{
    public const string PurgeIdempotencyRecords = "idempotency-records-purge";
    public const string CloseDueSolicitations = "discussion-hall-close-due-solicitations";

    public static void Register(IRecurringJobManager manager)
    {
        manager.AddOrUpdate<PurgeExpiredIdempotencyRecordsJob>(
            PurgeIdempotencyRecords, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<CloseDueSolicitationsJob>(
            CloseDueSolicitations, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
    }
}
