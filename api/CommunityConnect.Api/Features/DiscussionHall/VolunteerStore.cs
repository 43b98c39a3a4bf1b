using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>Volunteer calls (志愿者招募): signing up within the cap, and withdrawing.</summary>
public sealed class VolunteerStore(Database database, TimeProvider time)
{
    /// <summary>
    /// Signs the caller up. Nothing here relies on the single writer: the guarded UPDATE takes a place
    /// only while one is free and the thread still takes sign-ups (the CHECK constraint is the last
    /// line), and the sign-up's primary key refuses a second one from the same member; either refusal
    /// is a 409 that rolls the unit back, place included.
    /// </summary>
    public async Task<Outcome<VolunteerSignup>> SignUpAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, long threadId)
    {
        var thread = await ThreadStore.LoadAsync(connection, transaction, threadId);
        if (ThreadStore.CheckMember(thread, access) is { } failure)
        {
            return failure;
        }
        if (thread!.Kind != ThreadKinds.Volunteer)
        {
            return Failure.Conflict("Only volunteer threads take sign-ups.");
        }
        if (thread.Locked || thread.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This thread takes no sign-ups now.");
        }
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM thread_signups WHERE thread_id = @threadId AND user_id = @UserId);", new { threadId, access.UserId }, transaction))
        {
            return Failure.Conflict("You have already signed up.");
        }
        var taken = await connection.ExecuteAsync(
            """
            UPDATE threads SET signup_count = signup_count + 1
            WHERE id = @threadId AND signup_count < volunteer_cap AND locked = 0 AND review_state = 'published';
            """, new { threadId }, transaction);
        if (taken == 0)
        {
            return Failure.Conflict("All places are taken.");
        }
        var now = time.GetUtcNow();
        if (await connection.ExecuteAsync(
                "INSERT INTO thread_signups (thread_id, user_id, created_at) VALUES (@threadId, @UserId, @now) ON CONFLICT (thread_id, user_id) DO NOTHING;",
                new { threadId, access.UserId, now }, transaction) != 1)
        {
            return Failure.Conflict("You have already signed up.");
        }
        var counts = await connection.QuerySingleAsync<(long Count, long Cap)>(
            "SELECT signup_count, volunteer_cap FROM threads WHERE id = @threadId;", new { threadId }, transaction);
        return new VolunteerSignup(threadId, (int)counts.Count, (int)counts.Cap, now);
    }

    /// <summary>Withdraws the caller's sign-up, freeing the place; idempotent.</summary>
    public Task<Outcome<bool>> WithdrawAsync(CommunityAccess access, long threadId) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var thread = await ThreadStore.LoadAsync(connection, transaction, threadId);
            if (ThreadStore.CheckMember(thread, access) is { } failure)
            {
                return failure;
            }
            if (thread!.Kind != ThreadKinds.Volunteer)
            {
                return Failure.Conflict("Only volunteer threads take sign-ups.");
            }
            var removed = await connection.ExecuteAsync(
                "DELETE FROM thread_signups WHERE thread_id = @threadId AND user_id = @UserId;", new { threadId, access.UserId }, transaction);
            if (removed == 1)
            {
                await connection.ExecuteAsync("UPDATE threads SET signup_count = signup_count - 1 WHERE id = @threadId AND signup_count > 0;", new { threadId }, transaction);
            }
            return true;
        });
}
