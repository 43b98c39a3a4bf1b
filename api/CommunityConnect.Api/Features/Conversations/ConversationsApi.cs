using System.Globalization;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>Chat-driven intake (issue 13 §2): the assistant that turns a resident's words into a ticket, an opinion or a proposal.</summary>
public static class ConversationsApi
{
    public static IServiceCollection AddConversations(this IServiceCollection services) =>
        services.AddSingleton<ConversationStore>()
            .AddSingleton<ConversationFiling>()
            .AddSingleton<FaqStore>()
            .AddSingleton<FaqMatcher>();

    public static RouteGroupBuilder MapConversations(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Conversations")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/conversations", Start).WithName("StartConversation")
            .WithSummary("Start a chat with the community assistant: its greeting and quick replies.")
            .WithDescription("Members of the community (the street admin: 403). Opens a conversation in the collecting state with the " +
                "assistant's greeting and the quick replies to start from (我要报修, 我要投诉, 我有建议, 我想咨询). Other communities: 404.")
            .ProducesProblem(403);
        community.MapGet("/faq", GetFaq).WithName("GetFaq")
            .WithSummary("The community's FAQ, from which the assistant answers questions.")
            .WithDescription("Members of the community and its street's admins. Reads only: the entries in order, each a question, its " +
                "answer, the keywords that find it and its category (optional; an entry of a category answers only questions of it).");
        community.MapPut("/faq", PutFaq).WithName("UpdateFaq")
            .WithSummary("Replace the community's FAQ (the residents' committee).")
            .WithDescription("The residents' committee only (others: 403). Replaces the whole FAQ with the entries given (at most 100; " +
                "each with 1 to 20 keywords of 1 to 20 characters), in one step; the assistant answers from it at once.")
            .ProducesProblem(403);

        var conversation = v1.MapGroup("/conversations/{conversationId:long}").WithTags("Conversations").RequireAuthorization()
            .ProducesProblem(404);
        conversation.MapPost("/messages", PostMessage).WithName("SendConversationMessage")
            .WithSummary("Send the assistant a message (or a quick reply's text): its reply, the draft, the state and what was filed.")
            .WithDescription("Only the conversation's resident; for anyone else it does not exist (404), as for every route under " +
                "/v1/conversations/{conversationId}. The assistant reads the text with the intake analyser in the context of the " +
                "conversation (what it asked last, the draft, the community's buildings and units, the resident's own unit), asks once " +
                "for what is missing, offers an open ticket of the last 48 hours for \"me too\" instead of a second one, answers " +
                "questions from the FAQ, and files only after a yes: a repair ticket, an opinion (private unless the resident says it " +
                "may be public; anonymous on request, after which the conversation is redacted) or a hall proposal, each through its " +
                "own feature. 1 to 2,000 characters (400); 409 when the conversation is filed or cancelled (or has 100 messages); 503 " +
                "with Retry-After while the analyser is loading.")
            .ProducesProblem(409).ProducesProblem(503);
        conversation.MapGet("/", Get).WithName("GetConversation")
            .WithSummary("Replay a conversation: its messages, draft, state and what it filed.")
            .WithDescription("Only the conversation's resident (others: 404). Reads only: every message oldest first with the quick " +
                "replies offered, the draft, the state and what was filed. A conversation that filed an anonymous opinion keeps no " +
                "messages and no draft, only filed: { kind: opinion, anonymous: true } without an id.");

        v1.MapGet("/me/conversations", Mine).WithTags("Conversations").RequireAuthorization().WithName("ListMyConversations")
            .WithSummary("My conversations with the assistant in every community, latest activity first.")
            .WithDescription("Any signed-in user, about themself. Reads only: their conversations with state, kind, one-line summary, " +
                "what was filed and the assistant's last reply, latest activity first, paged by cursor.");
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Conversation was not found.");

    private static async Task<Results<Created<ConversationTurn>, ProblemHttpResult>> Start(
        long communityId, CommunityAccess access, ConversationStore store, UnitOfWork work)
    {
        if (!access.IsMember)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only members of the community chat with its assistant.");
        }
        var outcome = await work.CreateAsync((connection, transaction) => store.StartAsync(connection, transaction, communityId, access.UserId), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    private static string LocationOf(ConversationTurn turn) => $"/v1/conversations/{turn.ConversationId}";

    private static async Task<Results<Created<ConversationTurn>, ProblemHttpResult>> PostMessage(
        long conversationId, NewConversationMessage input, HttpContext http, ConversationStore store, Tenancy tenancy, IntakeAnalyser analyser,
        ConversationFiling filing, FaqStore faq, FaqMatcher matcher, RepairStore repairs, RoutingStore routing, IPostGate gate, RecipientKeys keys,
        UnitOfWork work, Database database, TimeProvider time)
    {
        var userId = http.User.RequiredUserId();
        var before = await store.FindAsync(conversationId, userId);
        var access = before is null ? null : await tenancy.ForItemAsync(http, before.CommunityId);
        if (before is null || access is not { IsMember: true })
        {
            return NotFound();
        }
        if (!ConversationStateMachine.TakesMessages(before.State))
        {
            return TypedResults.Problem(statusCode: 409, title: $"This conversation is {before.State}; start a new one.");
        }
        if (before.Turn >= ConversationStore.MaxTurns)
        {
            return TypedResults.Problem(statusCode: 409, title: $"This conversation has {ConversationStore.MaxTurns} messages; start a new one.");
        }
        var text = input.Text!.Trim();
        if (!analyser.TryAnalyse(text, out var analysis))
        {
            http.Response.Headers.RetryAfter = IntakeApi.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: 503, title: analyser.Failure is null
                ? "The assistant is still loading; try again in a few seconds."
                : "The assistant could not load its lexicons; the operators have been told.");
        }

        var named = new[] { analysis.Unit, before.Draft?.Unit }.OfType<string>().ToList();
        var places = await store.PlacesAsync(before.CommunityId, access.UnitIds, named);
        var lookups = new AssistantLookups(access, routing, faq, matcher, repairs, time);
        var decision = await new ConversationAssistant(lookups).ReadAsync(before, text, analysis, places);

        var verdict = GateVerdict.Publish;
        if (decision is { Action: AssistantAction.File, Draft.Kind: DraftKinds.Proposal })
        {
            var draft = decision.Draft!;
            verdict = await gate.CheckThreadAsync(before.CommunityId, userId, ConversationFiling.ProposalTitle(draft.Description), draft.Description,
                http.RequestAborted);
            if (verdict == GateVerdict.Refuse)
            {
                decision = new AssistantDecision(ConversationStates.Collecting, draft with { Description = "" }, Awaiting.Description,
                    AssistantWords.Refused, [QuickReplies.Cancel]);
            }
        }
        // Captured here, as the complaint box's endpoint captures them: the unit of work runs on the writer thread.
        var filer = new Filer(access, http.User.Identity?.Name ?? "", keys.ForUser(userId), verdict);
        var advice = decision.Draft is { Urgent: true } urgent ? AssistantWords.UrgentAdvice(urgent, analysis.UrgentCue) : null;

        async Task<Outcome<ConversationTurn>> Step(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction)
        {
            var reply = decision.Reply;
            FiledItem? filed = null;
            if (decision.Action != AssistantAction.None)
            {
                var result = decision.Action == AssistantAction.MeToo
                    ? await filing.JoinAsync(connection, transaction, decision.OfferedTicketId!.Value, filer)
                    : await filing.FileAsync(connection, transaction, decision.Draft!, filer, advice);
                if (result.Failed)
                {
                    return result.Failure!;
                }
                (filed, reply) = result.Value;
            }
            return await store.RecordAsync(connection, transaction, before, text, decision, reply, filed);
        }

        // An anonymous filing leaves no idempotency record: its answer and its time would tie the resident to the sealed opinion.
        // A resend finds the conversation filed (409) and files nothing twice.
        var anonymous = decision is { Action: AssistantAction.File, Draft: { Anonymous: true, Kind: DraftKinds.Opinion or DraftKinds.Question } };
        var outcome = anonymous ? await database.WriteAsync(Step) : await work.CreateAsync(Step, LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    private static async Task<Results<Ok<Conversation>, ProblemHttpResult>> Get(long conversationId, HttpContext http, ConversationStore store)
    {
        var conversation = await store.GetAsync(conversationId, http.User.RequiredUserId());
        return conversation is null ? NotFound() : TypedResults.Ok(conversation);
    }

    private static async Task<Results<Ok<Page<ConversationSummary>>, ValidationProblem>> Mine(
        [AsParameters] PageRequest page, HttpContext http, ConversationStore store)
    {
        var errors = page.Read(out ConversationCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.MineAsync(http.User.RequiredUserId(), after, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new ConversationCursor(r.UpdatedAt, r.Id)));
    }

    private static async Task<Ok<Faq>> GetFaq(long communityId, CommunityAccess access, FaqStore store) =>
        TypedResults.Ok(await store.GetAsync(communityId));

    private static async Task<Results<Ok<Faq>, ValidationProblem, ProblemHttpResult>> PutFaq(
        long communityId, FaqInput input, CommunityAccess access, FaqStore store)
    {
        if (!access.Has(Roles.ResidentsCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "The residents' committee edits the FAQ.");
        }
        var errors = FaqMatcher.Check(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await store.ReplaceAsync(communityId, access.UserId, input.Entries!.Select(e => e!).ToList()));
    }

    /// <summary>The assistant's look-ups for one message, in the conversation's community and as its resident.</summary>
    private sealed class AssistantLookups(CommunityAccess access, RoutingStore routing, FaqStore faq, FaqMatcher matcher, RepairStore repairs,
        TimeProvider time) : IAssistantLookups
    {
        /// <summary>How far back an open ticket counts as the same problem.</summary>
        private static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(48);

        private RoutingTable? _table;

        public async Task<string> RouteAsync(string category)
        {
            _table ??= await routing.GetAsync(access.CommunityId);
            return _table.Routes!.FirstOrDefault(r => r.Category == category)?.ResponsibleBody ?? Bodies.ResidentsCommittee;
        }

        public async Task<FaqEntry?> AnswerAsync(string text, string category) =>
            matcher.Match(await faq.GetAsync(access.CommunityId), text, category);

        public async Task<DuplicateTicket?> DuplicateAsync(ConversationDraft draft)
        {
            var like = await repairs.FindOpenLikeAsync(access, draft.Category, draft.UnitId, draft.UnitId is null ? draft.BuildingId : null,
                time.GetUtcNow() - DuplicateWindow);
            return like is null ? null : new DuplicateTicket(like.Id, like.Description, like.State, like.CreatedAt);
        }
    }
}
