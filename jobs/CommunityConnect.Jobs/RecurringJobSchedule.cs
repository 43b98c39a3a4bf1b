using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Jobs.ComplaintBox;
using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Jobs.Hotspots;
using CommunityConnect.Jobs.Housekeeping;
using CommunityConnect.Jobs.SubscribeMessages;
using CommunityConnect.Jobs.Repairs;
using CommunityConnect.Jobs.Surveys;
using CommunityConnect.Jobs.Voting;
using Hangfire;

namespace CommunityConnect.Jobs;

/// <summary>The one place recurring jobs are registered, each under a stable id.</summary>
public static class RecurringJobSchedule
{
    public const string PurgeIdempotencyRecords = "idempotency-records-purge";
    public const string EscalationSweep = "escalation-sweep";
    public const string SubscribeMessageDelivery = "subscribe-message-delivery";
    public const string AutoCloseUnratedRepairTickets = "repairs-auto-close-unrated";
    public const string AutoCloseAnsweredOpinions = "opinions-auto-close";
    public const string CloseDueSolicitations = "discussion-hall-close-due-solicitations";
    public const string CloseDueSurveys = "surveys-close-due";
    public const string RouteHallThreads = "discussion-hall-route-threads";
    public const string HotspotRadar = "hotspot-radar";
    public const string CloseDueBallots = "ballots-close-due";

    public static void Register(IRecurringJobManager manager)
    {
        manager.AddOrUpdate<PurgeExpiredIdempotencyRecordsJob>(
            PurgeIdempotencyRecords, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<EscalationSweepJob>(
            EscalationSweep, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<DeliverSubscribeMessagesJob>(
            SubscribeMessageDelivery, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<AutoCloseUnratedTicketsJob>(
            AutoCloseUnratedRepairTickets, job => job.RunAsync(CancellationToken.None), "*/10 * * * *");
        manager.AddOrUpdate<AutoCloseAnsweredOpinionsJob>(
            AutoCloseAnsweredOpinions, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<CloseDueSolicitationsJob>(
            CloseDueSolicitations, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<CloseDueSurveysJob>(
            CloseDueSurveys, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<RouteHallThreadsJob>(
            RouteHallThreads, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<HotspotRadarJob>(
            HotspotRadar, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<CloseDueBallotsJob>(
            CloseDueBallots, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
    }
}
