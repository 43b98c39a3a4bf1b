using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CommunityConnect.Api.Infrastructure.Observability;

/// <summary>
/// The app's own activity sources and meters (beside ASP.NET Core's and HttpClient's). Their tags
/// name operations, routes, job types and WeChat error codes, never a user, an openid, a token or
/// a sealed author: a trace leaves the machine (OTLP) and is read by people who may not unseal.
/// </summary>
public static class Telemetry
{
    /// <summary>Spans of the database: the writer's batches and units, and read connections.</summary>
    public static readonly ActivitySource Database = new("CommunityConnect.Database");

    /// <summary>Spans of Hangfire jobs, one per performance.</summary>
    public static readonly ActivitySource Jobs = new("CommunityConnect.Jobs");

    /// <summary>Spans of WeChat API calls (the HTTP attempts below them come from HttpClient's own source).</summary>
    public static readonly ActivitySource WeChat = new("CommunityConnect.WeChat");

    /// <summary>Job and WeChat meters (the writer's meter is <see cref="Data.Database.MeterName"/>, one per host).</summary>
    public static readonly Meter Meter = new("CommunityConnect");

    /// <summary>Every activity source above, for the tracer provider.</summary>
    public static readonly string[] SourceNames = [Database.Name, Jobs.Name, WeChat.Name];

    /// <summary>Every meter of the app, for the meter provider.</summary>
    public static readonly string[] MeterNames = [Meter.Name, Data.Database.MeterName];

    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        "cc.jobs.duration", unit: "s", description: "How long a Hangfire job ran, by job type and outcome.");

    public static readonly Histogram<double> WeChatDuration = Meter.CreateHistogram<double>(
        "cc.wechat.call.duration", unit: "s", description: "WeChat API calls (retries included), by API and errcode (0: success; \"error\": no answer).");

    /// <summary>Marks <paramref name="activity"/> failed with the exception's type only: messages may quote what a user typed.</summary>
    public static void Failed(this Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>
    /// Stops <paramref name="activity"/> from wherever its end is noticed (a connection's closing) without
    /// changing which activity is current there: <see cref="Activity.Stop"/> alone would make the
    /// activity that was current at its start current again.
    /// </summary>
    public static void StopAside(this Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }
}
