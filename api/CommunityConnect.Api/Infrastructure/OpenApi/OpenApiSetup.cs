using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CommunityConnect.Api.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document: what the endpoints say about themselves (summary, description, typed
/// results), plus what holds for the whole api (<see cref="OperationConventions"/>) and the request
/// schemas as validation sees them (<see cref="RequestSchemas"/>).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where <c>dotnet run</c> serves the api (README, launchSettings.json).</summary>
    public const string LocalServer = "http://localhost:5080";

    /// <summary>Every tag of the document with its description; a tag missing here fails OpenApiDocumentTests.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Health"] = "Whether the api and its database answer; for load balancers and uptime checks, no sign-in needed.",
        ["Identity"] = "Logging in (WeChat, or dev-login in Development) and who the caller is: name, own phone, unread count, memberships.",
        ["Communities"] = "A community with its buildings, units and role holders (who removes whom, the role-change log), residents' requests to be " +
                          "verified in a unit (owners with a key of the register), and ending a membership when someone moves away.",
        ["Invitations"] = "How people get a role: someone allowed to grant it creates an invitation (a single-use code, shown once with " +
                          "its QR code), the person redeems it in the mini-app after WeChat login; unused codes can be revoked. The " +
                          "first street admin's code comes from the admin command on the server.",
        ["Street office"] = "What the street office keeps: its communities (create, edit, list), its role holders, and each " +
                            "community's property company, whose replacement takes the old company's staff out at once.",
        ["Owners register"] = "The owners register (业主名册) a community imports from CSV: units, exclusive floor areas and owner keys, " +
                              "kept as versions (ballots take a snapshot of the current one), with voting owners counted as the " +
                              "Supreme People's Court counts them.",
        ["Cases"] = "The one case every repair ticket, opinion (but praise) and proposal opens: which body must answer it, by when, " +
                    "its state and history; the bodies' work queue and the routing table of category → first body.",
        ["Escalation"] = "Service clocks (SLA targets per item kind and urgency), the street's working-day calendar, a case's climb up " +
                         "物业 → 业委会 → 居委会 → 党支部 → 街道, and each body's quarterly evaluation with stars.",
        ["Repairs"] = "物业报修: repair tickets from report to rating, moved by the state machine " +
                      "(submitted → accepted → assigned → in_progress → resolved → closed, with paused, rejected, cancelled and reopening), " +
                      "with photos, messages, \"me too\" and the property company's public scoreboard.",
        ["Complaint box"] = "大家来吐槽: complaints, suggestions, questions and praise, optionally anonymous (the author sealed from everyone; " +
                            "only the party secretary may unseal, with a reason the audit log keeps), public or private answers, " +
                            "the author's satisfaction, and trends.",
        ["Discussion hall"] = "议事厅: discussions, opinion solicitations, volunteer calls and proposals; replies, supports, follows, " +
                              "sign-ups, proposal decisions and the projects adopted proposals become, with public milestones.",
        ["Moderation"] = "Keeping the hall civil: moderators (the party secretary and appointed residents' committee members), " +
                         "pre-review, the word list, members' flags, the review queue, moderator actions, slow mode and the moderation log.",
        ["Intake"] = "The intake analyser: reads a resident's free text (colloquial, with typos, pinyin initials or Shanghainese) and " +
                     "answers what it is (intent, category, the body that must answer it, building and unit, urgency) and what a filing " +
                     "would still need. The chat assistant and the hall's routing job are built on it.",
        ["Conversations"] = "The community assistant (chat intake): a resident talks, the assistant asks once for what is missing, offers " +
                            "\"me too\" on an open ticket of the same problem, answers from the community's FAQ, and after a yes files a repair " +
                            "ticket, an opinion (anonymous on request, the conversation then redacted) or a hall proposal through their own features.",
        ["Hotspots"] = "The hotspot radar: several residents reporting the same thing in the same place (a building, or the common area) " +
                       "within a window become one hotspot, a case of its own routed to the responsible body and shown to the party secretary; " +
                       "its items are listed without authors, anonymous reports count as one resident, and one answer reaches them all.",
        ["Voting"] = "业主线上表决: owners' assembly votes by Civil Code art. 278 (quorum: at least 2/3 of the area and of the owners; ordinary " +
                     "matters pass with more than 1/2, special ones — raising maintenance funds, rebuilding (a lift), changing common use — with " +
                     "at least 3/4, of the participating area and owners), on a snapshot of the owners register; online and four-eyes paper " +
                     "ballots, a public hash-chain ledger with receipts and verification, the tally, and the named record for the archive.",
        ["Inbox"] = "The caller's notifications, and the WeChat subscribe-message consents that let the app mirror them to WeChat.",
        ["Announcements"] = "通知公告: announcements by the committees, the property company or the secretary to the whole community or to some " +
                            "buildings, with image and PDF attachments, 已知晓 acknowledgements, read receipts per household (an owner and a tenant " +
                            "of one unit count once) and one reminder to the households that have not read.",
        ["Meetings"] = "三会: hearings (听证会), coordination (协调会) and review (评议会) meetings, their minutes (correctable for 7 days, then " +
                       "fixed and only amended), the follow-up actions that each open a meeting_action case with its due time as the resolution " +
                       "clock, and the year's ledger (台账).",
        ["Public accounts"] = "公共收益与维修资金公开: the owners' committee's append-only ledger of common_income and maintenance_fund (amounts in fen; " +
                              "a correction is a reversing entry), vouchers, monthly statements published as announcements, a year's CSV, and " +
                              "members' questions about an entry, routed to the owners' committee as complaint-box questions.",
        ["Surveys"] = "民主评议: the residents' committee's surveys of the bodies; each household answers once (a score 1–5 and an optional comment " +
                      "per body), stored so that no answer can be linked to its author or unit; a job closes each survey and publishes its results.",
        ["Observability"] = "What a node measures about itself, for the street office and its monitoring: requests, outbound HTTP, the database " +
                            "writer, jobs and WeChat calls, in Prometheus text (traces and logs leave over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set).",
        ["Street statistics"] = "For the street office: per community and in total, items by kind and category, response and resolution times, " +
                                "escalations, satisfaction, announcements' read and acknowledgement rates, meetings and their actions, and the " +
                                "latest survey, as JSON or CSV.",
    };

    public static IServiceCollection AddCommunityOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CommunityConnect API",
                    Version = "v1",
                    Description = "社区自治小程序后端: 议事厅, 物业报修, 大家来吐槽, 业主线上表决, 智能受理. " +
                                  "Log in with POST /v1/auth/dev-login (demo) or /v1/auth/wechat-login, then send the token as a Bearer header. " +
                                  "Errors are application/problem+json; another community's data is 404, a role that may never do something 403, " +
                                  "a state that forbids it now 409. Lists are paged by cursor: ?after=CURSOR&limit=N (default 20, at most 100).",
                    Contact = new OpenApiContact { Name = "CommunityConnect project team" },
                    License = new OpenApiLicense { Name = "Proprietary: all rights reserved by the CommunityConnect project", Identifier = "LicenseRef-Proprietary" },
                };
                document.Servers = [new OpenApiServer { Url = LocalServer, Description = "The api as `dotnet run --project api/CommunityConnect.Api` serves it." }];
                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                {
                    tag.Description ??= Tags.GetValueOrDefault(tag.Name ?? "");
                }
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [OperationConventions.BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "The token from /v1/auth/wechat-login or /v1/auth/dev-login.",
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OperationConventions.BearerScheme, document)] = [] }];
                ProblemSchemas.Complete(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<OperationConventions>();
            options.AddSchemaTransformer<RequestSchemas>();
        });
        return services;
    }

    public static WebApplication MapCommunityOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("CommunityConnect API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }
}
