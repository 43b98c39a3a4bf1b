using CommunityConnect.Api.Demo;
using CommunityConnect.Api.Features.App;
using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Conversations;
using CommunityConnect.Api.Features.Escalation;
using CommunityConnect.Api.Features.Hotspots;
using CommunityConnect.Api.Features.SubscribeMessages;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Identity;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Features.Meetings;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Features.Moderation;
using CommunityConnect.Api.Features.Onboarding;
using CommunityConnect.Api.Features.PublicAccounts;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Api.Features.StreetStatistics;
using CommunityConnect.Api.Features.Surveys;
using CommunityConnect.Api.Features.Voting;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Data.Move;
using CommunityConnect.Api.Infrastructure.Errors;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Jobs;
using CommunityConnect.Api.Infrastructure.Nodes;
using CommunityConnect.Api.Infrastructure.Observability;
using CommunityConnect.Api.Infrastructure.OpenApi;
using CommunityConnect.Api.Infrastructure.Time;
using CommunityConnect.Api.Infrastructure.WeChat;

var builder = WebApplication.CreateBuilder(MoveToPostgresCommand.HostArguments(AdminCommand.HostArguments(args)))
    .ForAdminCommand(args).ForMoveCommand(args);

builder.Services.AddDomainClock(builder.Configuration);
builder.Services.AddNodeRole(builder.Configuration);
builder.Services.AddObservability(builder.Configuration);
builder.Services.AddHttpContextAccessor();
builder.Services.AddCommunityJson();
builder.Services.AddProblems();
builder.Services.AddValidation();
builder.Services.AddDatabase(builder.Configuration);
builder.Services.AddCommunityAuth(builder.Configuration);
builder.Services.AddCommunityRateLimits(builder.Configuration);
builder.Services.AddIdempotency();
builder.Services.AddWeChat(builder.Configuration);
builder.Services.AddJobs(builder.Configuration);
builder.Services.AddCommunityOpenApi();

builder.Services.AddInbox();
builder.Services.AddIdentity();
builder.Services.AddCommunities();
builder.Services.AddOnboarding(builder.Configuration);
builder.Services.AddCases();
builder.Services.AddEscalation();
builder.Services.AddSubscribeMessages(builder.Configuration);
builder.Services.AddModeration();
builder.Services.AddHallModeration();
builder.Services.AddRepairs();
builder.Services.AddComplaintBox();
builder.Services.AddDiscussionHall();
builder.Services.AddThreadRouting();
builder.Services.AddAnnouncements();
builder.Services.AddMeetings();
builder.Services.AddPublicAccounts();
builder.Services.AddSurveys();
builder.Services.AddVoting();
builder.Services.AddStreetStatistics();
builder.Services.AddIntake(builder.Configuration);
builder.Services.AddConversations();
builder.Services.AddHotspots();

var app = builder.Build();
if (AdminCommand.IsRequested(args))
{
    return await AdminCommand.RunAsync(app, args);
}
if (MoveToPostgresCommand.IsRequested(args))
{
    return await MoveToPostgresCommand.RunAsync(app, args);
}

app.LoadKeys();
await app.MigrateDatabaseAsync();
await app.SeedDemoContentAsync();

app.UseProblems();
app.UseNodeRole();
app.UseRequestText();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseIdempotency();

app.MapCommunityOpenApi();
app.MapHealth();
app.MapJobsDashboard();
app.MapClientApp();

var v1 = app.MapGroup("/v1").AddEndpointFilter<IdempotencyFilter>();
v1.MapIdentity();
v1.MapInbox();
v1.MapCommunities();
v1.MapOnboarding();
v1.MapCases();
v1.MapEscalation();
v1.MapSubscribeMessages();
v1.MapModeration();
v1.MapHallModeration();
v1.MapRepairs();
v1.MapComplaintBox();
v1.MapDiscussionHall();
v1.MapThreadRouting();
v1.MapAnnouncements();
v1.MapMeetings();
v1.MapPublicAccounts();
v1.MapSurveys();
v1.MapVoting();
v1.MapStreetStatistics();
v1.MapIntake();
v1.MapConversations();
v1.MapHotspots();
v1.MapMetrics();

app.Run();
return 0;

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
