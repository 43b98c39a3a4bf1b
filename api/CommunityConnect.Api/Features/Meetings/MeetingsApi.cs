using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>The three meetings (三会: 听证会, 协调会, 评议会), their minutes, amendments and follow-up actions.</summary>
public static class MeetingsApi
{
    public const int MaxActions = 20;

    public static IServiceCollection AddMeetings(this IServiceCollection services) =>
        services.AddSingleton<MeetingStore>()
            .AddSingleton<MeetingMinutesStore>()
            .AddSingleton<MeetingActionStore>()
            .AddSingleton<MeetingLedgerStore>();

    public static RouteGroupBuilder MapMeetings(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/meetings").WithTags("Meetings")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Schedule).WithName("ScheduleMeeting")
            .WithSummary("Schedule a hearing, coordination or review meeting, optionally about a thread, a case or a project.")
            .WithDescription("A committee, the property company or the party secretary (residents and the street admin: 403); the organising body is the " +
                "most official role the caller holds. Creates the meeting, about at most one thread, case or project of the community (400 " +
                "otherwise), at any start time (one already held may be entered afterwards), and every member gets an inbox notice.")
            .ProducesProblem(400).ProducesProblem(403);
        community.MapGet("/", List).WithName("ListMeetings")
            .WithSummary("The community's meetings: when=upcoming (soonest first), past (latest first), or all (latest first).")
            .WithDescription("Members of the community and its street's admins. Reads only: when=upcoming soonest first, when=past or all latest first, " +
                "paged by cursor.")
            .ProducesProblem(400);
        community.MapGet("/ledger", Ledger).WithName("GetMeetingLedger")
            .WithSummary("台账: a year's meetings by kind with their decisions and the state of their actions (year in Asia/Shanghai, default this year).")
            .WithDescription("Members of the community and its street's admins. Reads only: for each kind, the meetings that started in the year, their " +
                "decisions, and how many of their actions are open and done.")
            .ProducesProblem(400);

        var meeting = v1.MapGroup("/meetings/{meetingId:long}").WithTags("Meetings").RequireAuthorization().ProducesProblem(404);
        meeting.MapGet("/", Get).WithName("GetMeeting")
            .WithSummary("One meeting with its minutes, amendments and actions (each with its case).")
            .WithDescription("Members of its community and its street's admins; for anyone else it does not exist (404). Reads only: the meeting with its " +
                "minutes (and whether they are fixed), amendments, and actions with the state of their cases.");
        meeting.MapPost("/minutes", RecordMinutes).WithName("RecordMeetingMinutes")
            .WithSummary("Record the minutes once, after the meeting; each action opens a meeting_action case with its due time as the resolution clock.")
            .WithDescription("The organiser: who scheduled it, or those acting for the organising body (others: 403). Records the minutes once, after the " +
                "meeting has started (409 before, and for a second time); each action (at most 20, due in the future) opens a meeting_action " +
                "case for its responsible body with its due time as the resolution clock, and every member is told.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        meeting.MapPut("/minutes", CorrectMinutes).WithName("CorrectMeetingMinutes")
            .WithSummary("Correct the minutes' text within 7 days of recording them.")
            .WithDescription("The organiser (others: 403). Replaces the minutes' attendance, positions and decisions; the actions stay as recorded. 409 " +
                "when there are no minutes yet, and once they are fixed 7 days after recording: amend them instead.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        meeting.MapPost("/amendments", Amend).WithName("AmendMeetingMinutes")
            .WithSummary("Add an amendment, shown beside the minutes.")
            .WithDescription("The organiser (others: 403). Adds an amendment, shown beside the minutes, which it never changes; possible at any time once " +
                "there are minutes (409 before).")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        v1.MapPost("/meeting-actions/{actionId:long}/done", CompleteAction).WithTags("Meetings").RequireAuthorization()
            .WithName("CompleteMeetingAction")
            .WithSummary("Mark a meeting's action done, with an optional note; its case is resolved.")
            .WithDescription("The body the action's case is with now, the body it was assigned to, the party secretary and the street admin (other members: " +
                "403; outside the community: 404). Marks the action done with the note and resolves its case; 409 when it is already done.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Meeting was not found.");

    private static async Task<Results<Created<Meeting>, ValidationProblem, ProblemHttpResult>> Schedule(
        long communityId, NewMeetingInput input, CommunityAccess access, MeetingStore store, Inbox.Inbox inbox, UnitOfWork work)
    {
        var organiserBody = Publishers.BodyOf(access);
        if (organiserBody is null)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only a committee, the property company or the secretary schedules meetings.");
        }
        var links = new[] { input.ThreadId, input.CaseId, input.ProjectId }.Count(id => id is not null);
        var errors = links > 1
            ? new Dictionary<string, string[]> { ["threadId"] = ["A meeting is about at most one of threadId, caseId and projectId."] }
            : await store.ForeignLinksAsync(communityId, input);
        if (input.StartsAt is { } startsAt && (startsAt.Year < 2000 || startsAt.Year > 2100))
        {
            errors["startsAt"] = ["startsAt must be between 2000 and 2100."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await work.CreateAsync((connection, transaction) => store.ScheduleAsync(connection, transaction, access, organiserBody, input, inbox),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Meeting meeting) => $"/v1/meetings/{meeting.Id}";
    }

    private static async Task<Results<Ok<Page<MeetingSummary>>, ValidationProblem>> List(
        long communityId, string? when, [AsParameters] PageRequest page, CommunityAccess access, MeetingStore store)
    {
        var errors = page.Read(out MeetingCursor? after);
        if (when is not (null or "upcoming" or "past"))
        {
            errors["when"] = ["when must be upcoming or past (or left out for all)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(communityId, when, after?.StartsAt, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new MeetingCursor(r.StartsAt, r.Id)));
    }

    private static async Task<Results<Ok<MeetingLedger>, ValidationProblem>> Ledger(
        long communityId, int? year, CommunityAccess access, MeetingLedgerStore store)
    {
        if (year is < 2000 or > 2100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["year"] = ["year must be between 2000 and 2100."] });
        }
        return TypedResults.Ok(await store.LedgerAsync(communityId, year ?? store.CurrentYear()));
    }

    private static async Task<CommunityAccess?> AccessAsync(long meetingId, HttpContext http, MeetingStore store, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await store.CommunityOfAsync(meetingId));

    private static async Task<Results<Ok<Meeting>, ProblemHttpResult>> Get(long meetingId, HttpContext http, MeetingStore store, Tenancy tenancy)
    {
        var access = await AccessAsync(meetingId, http, store, tenancy);
        var meeting = access is null ? null : await store.GetAsync(meetingId, access.CommunityId);
        return meeting is null ? NotFound() : TypedResults.Ok(meeting);
    }

    private static async Task<Results<Created<Meeting>, ValidationProblem, ProblemHttpResult>> RecordMinutes(
        long meetingId, NewMinutesInput input, HttpContext http, MeetingStore store, MeetingMinutesStore minutes, Tenancy tenancy, UnitOfWork work,
        TimeProvider time)
    {
        var access = await AccessAsync(meetingId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var errors = new Dictionary<string, string[]>();
        if (RequestChecks.NoNullItems(input.Actions, "actions", errors))
        {
            var actions = input.Actions ?? [];
            if (actions.Count > MaxActions)
            {
                errors["actions"] = [$"At most {MaxActions} actions."];
            }
            var now = time.GetUtcNow();
            for (var i = 0; i < actions.Count; i++)
            {
                if (actions[i]!.Due is { } due && (due <= now || due.Year > 2100))
                {
                    errors[$"actions[{i}].due"] = ["due must be in the future (and before 2100)."];
                }
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var recorder = new MeetingMinutesStore.Recorder(access, http.User.Identity?.Name ?? "");
        var location = $"/v1/meetings/{meetingId}";
        var outcome = await work.CreateAsync((connection, transaction) => minutes.RecordAsync(connection, transaction, meetingId, recorder, input), _ => location);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(location, outcome.Value);
    }

    private static async Task<Results<Ok<Meeting>, ProblemHttpResult>> CorrectMinutes(
        long meetingId, MinutesCorrectionInput input, HttpContext http, MeetingStore store, MeetingMinutesStore minutes, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(meetingId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await work.WriteAsync((connection, transaction) => minutes.CorrectAsync(connection, transaction, meetingId, access, input));
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Created<MeetingAmendment>, ProblemHttpResult>> Amend(
        long meetingId, AmendmentInput input, HttpContext http, MeetingStore store, MeetingMinutesStore minutes, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(meetingId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var recorder = new MeetingMinutesStore.Recorder(access, http.User.Identity?.Name ?? "");
        var outcome = await work.CreateAsync((connection, transaction) => minutes.AmendAsync(connection, transaction, meetingId, recorder, input.Text!.Trim()),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        string LocationOf(MeetingAmendment amendment) => $"/v1/meetings/{meetingId}#amendment-{amendment.Id}";
    }

    private static async Task<Results<Ok<MeetingAction>, ProblemHttpResult>> CompleteAction(
        long actionId, ActionDoneInput? input, HttpContext http, MeetingActionStore actions, Tenancy tenancy)
    {
        var access = await tenancy.ForItemAsync(http, await actions.CommunityOfAsync(actionId));
        if (access is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Meeting action was not found.");
        }
        var note = string.IsNullOrWhiteSpace(input?.Note) ? null : input.Note.Trim();
        var outcome = await actions.CompleteAsync(actionId, access, http.User.Identity?.Name ?? "", note);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
