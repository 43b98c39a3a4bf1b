using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Infrastructure.Data;

public interface IOutcome
{
    bool Failed { get; }
}

/// <summary>An expected failure: an HTTP status with a title a person can read.</summary>
public sealed record Failure(int Status, string Title, string? Detail = null)
{
    /// <summary>For 429: how long the caller should wait (the handler writes it as Retry-After).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static Failure TooSoon(string title, TimeSpan wait) =>
        new(StatusCodes.Status429TooManyRequests, title, $"Try again in {(int)Math.Ceiling(wait.TotalSeconds)} seconds.") { RetryAfter = wait };

    public static Failure NotFound(string what) => new(StatusCodes.Status404NotFound, $"{what} was not found.");

    public static Failure Forbidden(string title) => new(StatusCodes.Status403Forbidden, title);

    public static Failure Conflict(string title, string? detail = null) => new(StatusCodes.Status409Conflict, title, detail);

    public static Failure Invalid(string title, string? detail = null) => new(StatusCodes.Status400BadRequest, title, detail);

    public ProblemHttpResult ToResult() => TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);
}

/// <summary>
/// The result of a unit of work: a value, or a <see cref="Failure"/> that rolls the transaction
/// back. Expected failures travel as values, not exceptions.
/// </summary>
public readonly record struct Outcome<T> : IOutcome
{
    private Outcome(T? value, Failure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public Failure? Failure { get; }

    public bool Failed => Failure is not null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
