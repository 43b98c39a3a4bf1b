using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>The setups of <see cref="RequestContractTests"/>: for each operation with a JSON body, the caller, path and values that make its smallest body acceptable.</summary>
public sealed partial class RequestContractTests
{
    private static int _serial;

    /// <summary>A new verified resident of a unit of community 1, so that no setup trips over another's rows.</summary>
    private async Task<HttpClient> NewResident(string prefix) =>
        await App.ClientFor($"{prefix}-{Interlocked.Increment(ref _serial)}", communityId: 1, role: "resident", unitId: 20);

    private async Task<long> NewCommunity() =>
        (await (await (await App.ClientFor("street")).PostJson("/v1/streets/1/communities",
            new { name = $"契约小区{Interlocked.Increment(ref _serial)}", address = "契约路 1 号" })).Expect(HttpStatusCode.Created)).Id();

    private async Task<HttpClient> Newcomer() => await App.ClientFor($"contract-newcomer-{Interlocked.Increment(ref _serial)}");

    private static async Task<long> Created(HttpResponseMessage response) => (await response.Expect(HttpStatusCode.Created)).Id();

    /// <summary>A common-area repair ticket reported by a new resident and moved by property staff to <paramref name="state"/>.</summary>
    private async Task<(long Id, HttpClient Reporter)> Ticket(string state)
    {
        var reporter = await NewResident("contract-reporter");
        var id = await RepairTestKit.ReportCommonArea(reporter);
        var staff = await App.ClientFor("property");
        var technician = await CommunityApp.UserIdOf(await App.ClientFor("technician"));
        var path = new[] { ("accept", (object?)null), ("assign", new { technicianId = technician }), ("start", null), ("resolve", null) };
        var reached = new[] { "accepted", "assigned", "in_progress", "resolved" };
        for (var i = 0; state != "submitted" && i < path.Length; i++)
        {
            await RepairTestKit.Act(staff, id, path[i].Item1, path[i].Item2);
            if (reached[i] == state)
            {
                break;
            }
            if (reached[i] == "in_progress" && state == "paused")
            {
                await RepairTestKit.Act(staff, id, "pause", new { reason = "等配件" });
                break;
            }
        }
        return (id, reporter);
    }

    private async Task<(long Id, HttpClient Author)> Opinion(bool anonymous = false)
    {
        var author = await NewResident("contract-opinion");
        var opinion = await author.PostOpinion("complaint", "water", "楼顶水箱有异味", anonymous: anonymous);
        return (opinion.Id(), author);
    }

    private async Task<long> Thread(string kind = "discussion", string? category = null)
    {
        var author = await NewResident("contract-author");
        return (await author.PostThread(new { kind, title = "楼道堆物怎么办", body = "大家怎么看?", category })).Id();
    }

    /// <summary>A discussion about a leaking pipe, read by the routing job and routed to the property company.</summary>
    private async Task<long> RoutedThread()
    {
        var author = await NewResident("contract-author");
        var id = (await author.PostDiscussion("2号楼水管漏水", "2号楼二楼的水管一直在滴水。")).Id();
        await App.Service<CommunityConnect.Api.Features.Intake.IntakeAnalyser>().WhenReady;
        await App.Service<CommunityConnect.Jobs.DiscussionHall.RouteHallThreadsJob>().RunAsync(CancellationToken.None);
        return id;
    }

    private async Task<long> Reply(long threadId) =>
        (await (await NewResident("contract-replier")).PostReply(threadId, "我也觉得")).Id();

    private async Task<(long Id, HttpClient Residents)> Project()
    {
        var threadId = await Thread("proposal", "parking");
        var residents = await App.ClientFor("residents");
        return (await Created(await residents.PostJson($"/v1/threads/{threadId}/adopt", new { })), residents);
    }

    private async Task<long> PendingMembershipRequest() =>
        await Created(await (await Newcomer()).PostJson("/v1/communities/1/membership-requests", new { unitId = 3, relation = "tenant" }));

    private static string Instant(DateTimeOffset at) => at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A coordination meeting the residents' committee scheduled an hour ago, with minutes (and one action for the property company) if asked.</summary>
    private async Task<(long Id, JsonElement? Minutes, HttpClient Organiser)> Meeting(bool withMinutes)
    {
        var organiser = await App.ClientFor("residents");
        var id = await Created(await organiser.PostJson("/v1/communities/1/meetings", new
        {
            kind = "coordination", topic = "楼道堆物清理", startsAt = App.Clock.GetUtcNow().AddHours(-1), place = "居委会会议室", participants = "各楼组长",
        }));
        if (!withMinutes)
        {
            return (id, null, organiser);
        }
        var minutes = await (await organiser.PostJson($"/v1/meetings/{id}/minutes", new
        {
            attendance = "到会8人", positions = "都同意清理。", decisions = "本周六统一清理。",
            actions = new[] { new { text = "物业安排清运车", responsibleBody = "property", due = App.Clock.GetUtcNow().AddDays(5) } },
        })).Expect(HttpStatusCode.Created);
        return (id, minutes, organiser);
    }

    /// <summary>A common-income entry the owners' committee recorded today (Asia/Shanghai).</summary>
    private async Task<long> AccountEntry() =>
        await Created(await (await App.ClientFor("owners")).PostJson("/v1/communities/1/accounts/common_income/entries", new
        {
            date = ShanghaiToday(), amount = 120_000, counterparty = "某广告公司", purpose = "电梯广告位租金",
        }));

    private string ShanghaiToday() => App.Clock.GetUtcNow().ToOffset(TestClock.Shanghai).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An open survey of the property company by the residents' committee.</summary>
    private async Task<long> Survey() =>
        await Created(await (await App.ClientFor("residents")).PostJson("/v1/communities/1/surveys", new
        {
            title = "物业服务民主评议", closesAt = App.Clock.GetUtcNow().AddDays(14), bodies = new[] { "property" },
        }));

    /// <summary>An open ballot on the demo owners register, opened by the owners' committee.</summary>
    private async Task<long> Ballot() =>
        await Created(await (await App.ClientFor("owners")).PostJson("/v1/communities/1/ballots", new
        {
            title = "续聘物业服务企业", matter = "hire_property", closesAt = App.Clock.GetUtcNow().AddDays(7),
        }));

    private static readonly Dictionary<string, Func<RequestContractTests, Task<Call>>> Setups = new()
    {
        ["WeChatLogin"] = t => Task.FromResult(new Call(t.App.CreateClient(), [], ValuesOf(("code", "code-contract")))),
        ["AnalyzeMessage"] = async t =>
        {
            // The analyser trains in the background; until then the route answers 503, which is not what this test is about.
            await t.App.Service<CommunityConnect.Api.Features.Intake.IntakeAnalyser>().WhenReady;
            return new Call(await t.App.ClientFor("resident"), [], ValuesOf(("text", "3号楼电梯坏了,快来修")));
        },
        ["SendConversationMessage"] = async t =>
        {
            await t.App.Service<CommunityConnect.Api.Features.Intake.IntakeAnalyser>().WhenReady;
            var resident = await t.NewResident("contract-chat");
            var started = await (await resident.PostJson("/v1/communities/1/conversations", null)).Expect(HttpStatusCode.Created);
            return new Call(resident, PathOf(("conversationId", started.GetProperty("conversationId").GetInt64())));
        },
        ["UpdateFaq"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1))),
        ["DevLogin"] = t => Task.FromResult(new Call(t.App.CreateClient(), [], ValuesOf(("handle", "contract-dev-login")))),
        ["RequestMembership"] = async t => new Call(await t.Newcomer(), PathOf(("communityId", 1)), ValuesOf(("unitId", 3))),
        ["ApproveMembershipRequest"] = async t =>
            new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1), ("requestId", await t.PendingMembershipRequest()))),
        ["RejectMembershipRequest"] = async t =>
            new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1), ("requestId", await t.PendingMembershipRequest()))),

        ["CreateInvitation"] = async t => new Call(await t.App.ClientFor("street"), []),
        ["RedeemInvitation"] = async t =>
        {
            var created = await (await (await t.App.ClientFor("street")).PostJson("/v1/invitations", new { role = "owners_committee", communityId = 1 }))
                .Expect(HttpStatusCode.Created);
            return new Call(await t.Newcomer(), [], ValuesOf(("code", created.Text("code"))));
        },
        ["CreateCommunity"] = async t => new Call(await t.App.ClientFor("street"), PathOf(("streetId", 1)), ValuesOf(("name", "契约新建小区"))),
        ["UpdateCommunity"] = async t => new Call(await t.App.ClientFor("street"), PathOf(("communityId", await t.NewCommunity())),
            ValuesOf(("name", $"契约改名小区{Interlocked.Increment(ref _serial)}"))),
        ["SetPropertyCompany"] = async t => new Call(await t.App.ClientFor("street"), PathOf(("communityId", await t.NewCommunity()))),
        ["EndMembership"] = async t =>
        {
            var leaver = await t.App.ClientFor($"contract-leaver-{Interlocked.Increment(ref _serial)}", communityId: 1, role: "resident", unitId: 9);
            var userId = await CommunityApp.UserIdOf(leaver);
            return new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1), ("userId", userId)));
        },

        ["RespondToCase"] = async t =>
            new Call(await t.App.ClientFor("property"), PathOf(("caseId", await t.App.OpenCaseAsync("resident", "water")))),
        ["TransferCase"] = async t =>
            new Call(await t.App.ClientFor("property"), PathOf(("caseId", await t.App.OpenCaseAsync("resident", "water"))),
                ValuesOf(("toBody", "owners_committee"))),
        ["EscalateCase"] = async t =>
        {
            var caseId = await t.App.OpenCaseAsync("resident", "water", urgent: true);
            // An urgent case's first response is due within 30 minutes around the clock.
            t.App.Clock.Advance(TimeSpan.FromMinutes(31));
            return new Call(await t.App.ClientFor("resident"), PathOf(("caseId", caseId)));
        },
        ["UpdateRouting"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("communityId", 1)),
            ValuesOf(("routes.category", "water"), ("routes.responsibleBody", "property"))),
        ["UpdateHotspotSettings"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1)),
            ValuesOf(("shortWindowHours", 24), ("shortWindowResidents", 3), ("longWindowDays", 7), ("longWindowResidents", 5))),
        ["UpdateSlaPolicies"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("communityId", 1)),
            ValuesOf(("policies.firstResponseMinutes", 480), ("policies.resolveMinutes", 1440))),
        ["UpdateStreetCalendar"] = async t => new Call(await t.App.ClientFor("street"), PathOf(("streetId", 1)),
            ValuesOf(("timeZone", "Asia/Shanghai"), ("workStart", "09:00"), ("workEnd", "17:00"))),

        ["RecordConsent"] = async t => new Call(await t.App.ClientFor("resident"), [], ValuesOf(("templateKey", "item_progress"))),

        ["UpdateModerationSettings"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("communityId", 1))),
        ["UpdateModerationWords"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("communityId", 1))),
        ["FlagThread"] = async t => new Call(await t.App.ClientFor("tenant"), PathOf(("threadId", await t.Thread()))),
        ["FlagReply"] = async t => new Call(await t.App.ClientFor("tenant"), PathOf(("replyId", await t.Reply(await t.Thread())))),
        ["ModerateThread"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("threadId", await t.Thread()), ("action", "pin"))),
        ["ModerateReply"] = async t =>
        {
            var secretary = await t.App.ClientFor("secretary");
            var replyId = await t.Reply(await t.Thread());
            await (await secretary.PostJson($"/v1/replies/{replyId}/hide", new { reason = "人身攻击" })).Expect(HttpStatusCode.OK);
            return new Call(secretary, PathOf(("replyId", replyId), ("action", "restore")));
        },
        ["SetSlowMode"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("threadId", await t.Thread()))),

        ["ReportRepair"] = async t =>
        {
            var resident = await t.App.ClientFor("resident");
            return new Call(resident, PathOf(("communityId", 1)), ValuesOf(("unitId", await RepairTestKit.UnitOf(resident))));
        },
        ["AcceptRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("submitted")).Id))),
        ["AssignRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("accepted")).Id)),
            ValuesOf(("technicianId", await CommunityApp.UserIdOf(await t.App.ClientFor("technician"))))),
        ["StartRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("assigned")).Id))),
        ["PauseRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("in_progress")).Id))),
        ["ResumeRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("paused")).Id))),
        ["ResolveRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("in_progress")).Id))),
        ["RejectRepair"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("ticketId", (await t.Ticket("submitted")).Id))),
        ["CancelRepair"] = async t =>
        {
            var (id, reporter) = await t.Ticket("submitted");
            return new Call(reporter, PathOf(("ticketId", id)));
        },
        ["ReopenRepair"] = async t =>
        {
            var (id, reporter) = await t.Ticket("resolved");
            return new Call(reporter, PathOf(("ticketId", id)));
        },
        ["RateRepair"] = async t =>
        {
            var (id, reporter) = await t.Ticket("resolved");
            return new Call(reporter, PathOf(("ticketId", id)));
        },
        ["PostRepairMessage"] = async t =>
        {
            var (id, reporter) = await t.Ticket("submitted");
            return new Call(reporter, PathOf(("ticketId", id)));
        },

        ["CreateOpinion"] = async t => new Call(await t.NewResident("contract-opinion"), PathOf(("communityId", 1))),
        ["AnswerOpinion"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("opinionId", (await t.Opinion()).Id))),
        ["ReplyToOpinionAnswer"] = async t =>
        {
            var (id, author) = await t.Opinion();
            await (await t.App.ClientFor("property")).Answer(id, "已安排清洗水箱");
            return new Call(author, PathOf(("opinionId", id)));
        },
        ["UnsealOpinionAuthor"] = async t =>
            new Call(await t.App.ClientFor("secretary"), PathOf(("opinionId", (await t.Opinion(anonymous: true)).Id))),

        ["PostThread"] = async t => new Call(await t.NewResident("contract-poster"), PathOf(("communityId", 1))),
        ["PostReply"] = async t => new Call(await t.NewResident("contract-replier"), PathOf(("threadId", await t.Thread()))),
        ["DismissThreadRouting"] = async t => new Call(await t.App.ClientFor("property"), PathOf(("threadId", await t.RoutedThread()))),
        ["CorrectThreadRouting"] = async t => new Call(await t.App.ClientFor("secretary"), PathOf(("threadId", await t.RoutedThread())),
            ValuesOf(("responsibleBody", "property"))),
        ["AdoptProposal"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("threadId", await t.Thread("proposal", "parking")))),
        ["DeclineProposal"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("threadId", await t.Thread("proposal", "parking")))),
        ["AddMilestone"] = async t =>
        {
            var (projectId, residents) = await t.Project();
            return new Call(residents, PathOf(("projectId", projectId)),
                ValuesOf(("dueDate", TestClock.Start.ToOffset(TestClock.Shanghai).AddDays(30).ToString("yyyy-MM-dd"))));
        },
        ["UpdateMilestone"] = async t =>
        {
            var (projectId, residents) = await t.Project();
            var milestoneId = await Created(await residents.PostJson($"/v1/projects/{projectId}/milestones",
                new { title = "完成选址", dueDate = TestClock.Start.ToOffset(TestClock.Shanghai).AddDays(30).ToString("yyyy-MM-dd") }));
            return new Call(residents, PathOf(("projectId", projectId), ("milestoneId", milestoneId)));
        },

        ["PublishAnnouncement"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1))),

        ["ScheduleMeeting"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1)),
            ValuesOf(("startsAt", Instant(t.App.Clock.GetUtcNow().AddDays(3))))),
        ["RecordMeetingMinutes"] = async t =>
        {
            var (id, _, organiser) = await t.Meeting(withMinutes: false);
            return new Call(organiser, PathOf(("meetingId", id)));
        },
        ["CorrectMeetingMinutes"] = async t =>
        {
            var (id, _, organiser) = await t.Meeting(withMinutes: true);
            return new Call(organiser, PathOf(("meetingId", id)));
        },
        ["AmendMeetingMinutes"] = async t =>
        {
            var (id, _, organiser) = await t.Meeting(withMinutes: true);
            return new Call(organiser, PathOf(("meetingId", id)));
        },
        ["CompleteMeetingAction"] = async t =>
        {
            var (_, minutes, _) = await t.Meeting(withMinutes: true);
            var actionId = minutes!.Value.GetProperty("actions")[0].Id();
            return new Call(await t.App.ClientFor("property"), PathOf(("actionId", actionId)));
        },

        ["RecordAccountEntry"] = async t => new Call(await t.App.ClientFor("owners"), PathOf(("communityId", 1), ("account", "common_income")),
            ValuesOf(("date", t.ShanghaiToday()))),
        ["ReverseAccountEntry"] = async t => new Call(await t.App.ClientFor("owners"), PathOf(("entryId", await t.AccountEntry()))),
        ["AskAboutAccountEntry"] = async t => new Call(await t.NewResident("contract-asker"), PathOf(("entryId", await t.AccountEntry()))),

        ["OpenSurvey"] = async t => new Call(await t.App.ClientFor("residents"), PathOf(("communityId", 1)),
            ValuesOf(("closesAt", Instant(t.App.Clock.GetUtcNow().AddDays(14))))),
        // Each call has its own survey: one household (unit 20) answers each once.
        ["AnswerSurvey"] = async t => new Call(await t.NewResident("contract-household"), PathOf(("surveyId", await t.Survey()))),

        ["CreateBallot"] = async t => new Call(await t.App.ClientFor("owners"), PathOf(("communityId", 1)),
            ValuesOf(("closesAt", Instant(t.App.Clock.GetUtcNow().AddDays(7))))),
        // Each call has its own ballot: the demo owner (SF3502) votes on each once.
        ["CastVote"] = async t => new Call(await t.App.ClientFor("resident"), PathOf(("ballotId", await t.Ballot()))),
        ["RejectPaperVote"] = async t =>
        {
            var ballotId = await t.Ballot();
            var paper = new MultipartFormDataContent { { new StringContent("SF1101"), "ownerKey" }, { new StringContent("no"), "choice" } };
            var photo = new ByteArrayContent(RepairTestKit.Png());
            photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            paper.Add(photo, "file", "ballot.png");
            var paperVoteId = await Created(await (await t.App.ClientFor("owners")).PostAsync($"/v1/ballots/{ballotId}/paper-votes", paper));
            return new Call(await t.App.ClientFor("contract-owners-second", 1, "owners_committee"), PathOf(("paperVoteId", paperVoteId)));
        },
    };
}
