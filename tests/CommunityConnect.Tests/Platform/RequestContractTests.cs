using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The committed OpenAPI document is held to real traffic, because no linter sees "required in the
/// schema but optional in fact" (or the reverse). For every operation with a JSON request body:
/// the smallest body its schema allows (only the required properties, with valid values) is
/// accepted, and dropping any one required property answers 400 naming it. An operation with a JSON
/// body that <see cref="Setups"/> does not know fails, so a new one cannot slip past.
/// </summary>
public sealed class RequestContractTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private const string Text = "契约测试";

    private CommunityApp App { get; } = app;

    private static readonly JsonObject Document = JsonNode.Parse(File.ReadAllText(OpenApiDocumentTests.CommittedPath))!.AsObject();

    /// <summary>Every operation of the committed document whose request body may be JSON.</summary>
    public static TheoryData<string> OperationsWithJsonBodies() => new(OperationIdsWithJsonBodies());

    private static IEnumerable<string> OperationIdsWithJsonBodies() =>
        Operations().Where(o => o.Operation["requestBody"]?["content"]?["application/json"] is not null)
            .Select(o => o.Operation["operationId"]!.GetValue<string>());

    private static IEnumerable<(string Method, string Path, JsonObject Operation)> OperationsWithPaths() =>
        from path in Document["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        select (method.Key, path.Key, method.Value!.AsObject());

    private static IEnumerable<(string Path, JsonObject Operation)> Operations() =>
        OperationsWithPaths().Select(o => (o.Path, o.Operation));

    [Theory]
    [MemberData(nameof(OperationsWithJsonBodies))]
    public async Task TheSmallestBodyTheSchemaAllowsIsAcceptedAndEachRequiredPropertyIsRequired(string operationId)
    {
        var (method, template, operation) = OperationsWithPaths().Single(o => o.Operation["operationId"]!.GetValue<string>() == operationId);
        Assert.True(Setups.TryGetValue(operationId, out var setup),
            $"{operationId} takes a JSON body but RequestContractTests has no setup for it: add one (the caller, the path's ids, values the schema cannot give).");
        var call = await setup(this);
        var url = Expand(template, call.Path);
        var requestBody = operation["requestBody"]!.AsObject();
        var schema = Resolve(requestBody["content"]!["application/json"]!["schema"]!);
        var bodyRequired = requestBody["required"]?.GetValue<bool>() ?? false;
        var failures = new List<string>();

        var documented = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
        var smallest = bodyRequired ? Smallest(schema, "", call) : null;
        if (smallest is not null && schema["required"] is JsonArray { Count: > 0 } && !documented.Contains("400"))
        {
            failures.Add("the operation requires properties but documents no 400");
        }
        if (smallest is not null)
        {
            foreach (var (path, without) in Drops(smallest.AsObject(), schema, ""))
            {
                var response = await Send(call.Client, method, url, without);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest || !Names(text, path))
                {
                    failures.Add($"without {path}: expected 400 naming '{path}', got {(int)response.StatusCode} {text}");
                }
            }
        }

        var accepted = await Send(call.Client, method, url, smallest);
        var status = (int)accepted.StatusCode;
        var ok = call.Accepted is { } expected ? status == (int)expected : status is >= 200 and < 300;
        if (!ok || !documented.Contains(status.ToString()))
        {
            failures.Add($"the smallest body {smallest?.ToJsonString() ?? "(none)"}: got {status} {await accepted.Content.ReadAsStringAsync()} " +
                         $"(documented: {string.Join(", ", documented)})");
        }
        Assert.True(failures.Count == 0, $"{method.ToUpperInvariant()} {url}\n" + string.Join("\n", failures));
    }

    [Fact]
    public void EverySetupBelongsToAnOperationWithAJsonBody()
    {
        var operations = OperationIdsWithJsonBodies().ToHashSet();
        Assert.Empty(Setups.Keys.Where(id => !operations.Contains(id)));
        Assert.NotEmpty(operations);
    }

    // ---- the smallest body, from the schema ----

    /// <summary>How to call an operation: the caller, the path's values, values the schema cannot give, and a documented 4xx if 2xx cannot be had.</summary>
    private sealed record Call(HttpClient Client, Dictionary<string, object> Path, Dictionary<string, JsonNode?>? Values = null, HttpStatusCode? Accepted = null);

    private static JsonObject Resolve(JsonNode schema)
    {
        var reference = schema["$ref"]?.GetValue<string>();
        if (reference is not null)
        {
            return Document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!.AsObject();
        }
        // An optional body is oneOf [null, the schema].
        if (schema["oneOf"] is JsonArray alternatives && alternatives.Any(a => a?["type"]?.GetValue<string>() == "null"))
        {
            return Resolve(alternatives.First(a => a?["type"]?.GetValue<string>() != "null")!);
        }
        return schema.AsObject();
    }

    private static IEnumerable<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => t!.GetValue<string>()),
        JsonValue type => [type.GetValue<string>()],
        _ => schema["properties"] is not null ? ["object"] : [],
    };

    /// <summary>What the object must hold: its required properties, and the first alternative of a oneOf of required sets.</summary>
    private static IEnumerable<string> RequiredOf(JsonObject schema) =>
        (schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        .Concat(schema["oneOf"]?.AsArray().FirstOrDefault()?["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []);

    private JsonNode Smallest(JsonObject schema, string path, Call call)
    {
        if (call.Values is { } values && values.TryGetValue(path, out var given))
        {
            return given!.DeepClone();
        }
        if (schema["enum"] is JsonArray allowed)
        {
            return allowed.First(v => v is not null)!.DeepClone();
        }
        var type = TypesOf(schema).FirstOrDefault(t => t != "null")
                   ?? throw new InvalidOperationException($"{path}: the schema gives no type");
        switch (type)
        {
            case "object":
                var properties = schema["properties"]!.AsObject();
                var result = new JsonObject();
                foreach (var name in RequiredOf(schema).Distinct())
                {
                    result[name] = Smallest(Resolve(properties[name]!), Join(path, name), call);
                }
                return result;
            case "array":
                var items = new JsonArray();
                var count = schema["minItems"]?.GetValue<int>() ?? 0;
                for (var i = 0; i < count; i++)
                {
                    items.Add(Smallest(Resolve(schema["items"]!), path, call));
                }
                return items;
            case "boolean":
                return JsonValue.Create(false);
            case "integer" when path.EndsWith("Id", StringComparison.Ordinal):
                throw new InvalidOperationException($"{path}: an id must name a real row; give it in the setup's values.");
            case "integer" or "number":
                return JsonValue.Create(schema["minimum"]?.GetValue<long>() ?? 1);
            case "string" when schema["pattern"] is not null || schema["format"] is not null:
                throw new InvalidOperationException($"{path}: a string of pattern or format {schema["pattern"] ?? schema["format"]}; give it in the setup's values.");
            case "string":
                var length = schema["minLength"]?.GetValue<int>() ?? 1;
                return JsonValue.Create(string.Concat(Enumerable.Repeat(Text, length / Text.Length + 1))[..Math.Max(length, Text.Length)]);
            default:
                throw new InvalidOperationException($"{path}: cannot make a value of type {type}");
        }
    }

    /// <summary>The smallest body without each of its required properties in turn (nested ones too), with the property's path.</summary>
    private static IEnumerable<(string Path, JsonObject Without)> Drops(JsonObject body, JsonObject schema, string path)
    {
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            var without = body.DeepClone().AsObject();
            without.Remove(name);
            yield return (Join(path, name), without);
        }
        foreach (var (name, value) in body)
        {
            var propertySchema = Resolve(schema["properties"]![name]!);
            if (value is JsonObject inner)
            {
                foreach (var (innerPath, innerWithout) in Drops(inner, propertySchema, Join(path, name)))
                {
                    var copy = body.DeepClone().AsObject();
                    copy[name] = innerWithout;
                    yield return (innerPath, copy);
                }
            }
            else if (value is JsonArray { Count: > 0 } array && array[0] is JsonObject first)
            {
                foreach (var (innerPath, innerWithout) in Drops(first, Resolve(propertySchema["items"]!), $"{Join(path, name)}[0]"))
                {
                    var copy = body.DeepClone().AsObject();
                    copy[name]![0] = innerWithout;
                    yield return (innerPath, copy);
                }
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>Whether a 400 problem names the field at this path, as the request wrote it.</summary>
    private static bool Names(string problem, string path)
    {
        try
        {
            var errors = JsonNode.Parse(problem)?["errors"]?.AsObject();
            return errors is not null && errors.Any(e => e.Key == path);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Expand(string template, IReadOnlyDictionary<string, object> values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace($"{{{name}}}", value.ToString(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain("{", template);
        return template;
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string method, string url, JsonNode? body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url)
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        });

    // ---- setups: real rows for the ids, in the state the operation needs ----

    private static Dictionary<string, object> PathOf(params (string Name, object Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static Dictionary<string, JsonNode?> ValuesOf(params (string Path, JsonNode? Value)[] values) => values.ToDictionary(v => v.Path, v => v.Value);

    private static int _serial;

    /// <summary>A new verified resident of a unit of community 1, so that no setup trips over another's rows.</summary>
    private async Task<HttpClient> NewResident(string prefix) =>
        await app.ClientFor($"{prefix}-{Interlocked.Increment(ref _serial)}", communityId: 1, role: "resident", unitId: 20);

    private async Task<long> NewCommunity() =>
        (await (await (await app.ClientFor("street")).PostJson("/v1/streets/1/communities",
            new { name = $"契约小区{Interlocked.Increment(ref _serial)}", address = "契约路 1 号" })).Expect(HttpStatusCode.Created)).Id();

    private async Task<HttpClient> Newcomer() => await app.ClientFor($"contract-newcomer-{Interlocked.Increment(ref _serial)}");

    private static async Task<long> Created(HttpResponseMessage response) => (await response.Expect(HttpStatusCode.Created)).Id();

    /// <summary>A common-area repair ticket reported by a new resident and moved by property staff to <paramref name="state"/>.</summary>
    private async Task<(long Id, HttpClient Reporter)> Ticket(string state)
    {
        var reporter = await NewResident("contract-reporter");
        var id = await RepairTestKit.ReportCommonArea(reporter);
        var staff = await app.ClientFor("property");
        var technician = await CommunityApp.UserIdOf(await app.ClientFor("technician"));
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
        await app.Service<CommunityConnect.Api.Features.Intake.IntakeAnalyser>().WhenReady;
        await app.Service<CommunityConnect.Jobs.DiscussionHall.RouteHallThreadsJob>().RunAsync(CancellationToken.None);
        return id;
    }

    private async Task<long> Reply(long threadId) =>
        (await (await NewResident("contract-replier")).PostReply(threadId, "我也觉得")).Id();

    private async Task<(long Id, HttpClient Residents)> Project()
    {
        var threadId = await Thread("proposal", "parking");
        var residents = await app.ClientFor("residents");
        return (await Created(await residents.PostJson($"/v1/threads/{threadId}/adopt", new { })), residents);
    }

    private async Task<long> PendingMembershipRequest() =>
        await Created(await (await Newcomer()).PostJson("/v1/communities/1/membership-requests", new { unitId = 3, relation = "tenant" }));

    private static string Instant(DateTimeOffset at) => at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A coordination meeting the residents' committee scheduled an hour ago, with minutes (and one action for the property company) if asked.</summary>
    private async Task<(long Id, JsonElement? Minutes, HttpClient Organiser)> Meeting(bool withMinutes)
    {
        var organiser = await app.ClientFor("residents");
        var id = await Created(await organiser.PostJson("/v1/communities/1/meetings", new
        {
            kind = "coordination", topic = "楼道堆物清理", startsAt = app.Clock.GetUtcNow().AddHours(-1), place = "居委会会议室", participants = "各楼组长",
        }));
        if (!withMinutes)
        {
            return (id, null, organiser);
        }
        var minutes = await (await organiser.PostJson($"/v1/meetings/{id}/minutes", new
        {
            attendance = "到会8人", positions = "都同意清理。", decisions = "本周六统一清理。",
            actions = new[] { new { text = "物业安排清运车", responsibleBody = "property", due = app.Clock.GetUtcNow().AddDays(5) } },
        })).Expect(HttpStatusCode.Created);
        return (id, minutes, organiser);
    }

    /// <summary>A common-income entry the owners' committee recorded today (Asia/Shanghai).</summary>
    private async Task<long> AccountEntry() =>
        await Created(await (await app.ClientFor("owners")).PostJson("/v1/communities/1/accounts/common_income/entries", new
        {
            date = ShanghaiToday(), amount = 120_000, counterparty = "某广告公司", purpose = "电梯广告位租金",
        }));

    private string ShanghaiToday() => app.Clock.GetUtcNow().ToOffset(TestClock.Shanghai).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An open survey of the property company by the residents' committee.</summary>
    private async Task<long> Survey() =>
        await Created(await (await app.ClientFor("residents")).PostJson("/v1/communities/1/surveys", new
        {
            title = "物业服务民主评议", closesAt = app.Clock.GetUtcNow().AddDays(14), bodies = new[] { "property" },
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
    };
}
