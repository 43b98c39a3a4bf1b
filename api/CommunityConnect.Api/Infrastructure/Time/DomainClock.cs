using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Time;

/// <summary>
/// The domain clock's settings. <see cref="Offset"/> moves the domain clock (due times, escalation,
/// closing ballots) away from the system clock, so that a test can run a real api process "later"
/// (the cluster tests start workers a day after the cases they must escalate). Tokens, Polly and
/// Hangfire keep the system clock, as they do under the tests' fake clock.
/// </summary>
public sealed class ClockOptions
{
    public const string Section = "Clock";

    /// <summary>Added to the system clock's time for the domain (<c>Clock:Offset</c>, a TimeSpan such as <c>1.00:00:00</c>); zero by default.</summary>
    public TimeSpan Offset { get; set; }
}

public static class DomainClock
{
    /// <summary>The domain's <see cref="TimeProvider"/>: the system clock, or the system clock plus <c>Clock:Offset</c> outside Production.</summary>
    public static IServiceCollection AddDomainClock(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClockOptions>().Bind(configuration.GetSection(ClockOptions.Section))
            .Validate<IHostEnvironment>((clock, environment) => clock.Offset == TimeSpan.Zero || !environment.IsProduction(),
                "Clock:Offset is set, but Production always runs on the real time (a moved clock would escalate, close ballots and " +
                "stamp history at the wrong instants): remove Clock:Offset (Clock__Offset) or set it to 00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<TimeProvider>(provider => provider.GetRequiredService<IOptions<ClockOptions>>().Value.Offset is { } offset
            && offset != TimeSpan.Zero
                ? new OffsetTimeProvider(offset)
                : TimeProvider.System);
        return services;
    }

    /// <summary>The system clock moved by a fixed offset; timers and timestamps stay the system's (only "now" moves).</summary>
    private sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + offset;

        public override TimeZoneInfo LocalTimeZone => TimeProvider.System.LocalTimeZone;
    }
}
