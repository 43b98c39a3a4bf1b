using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Moderation;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Demo;

/// <summary>
/// A lived-in 示范小区 for the run command (<c>Seed:DemoContent</c>): a repaired and rated stairway
/// light and a leak waiting for the service desk, an anonymous complaint the owners' committee has
/// answered, a pinned volunteer call, and a parking proposal adopted into a project with
/// milestones. Written through the features' own stores, so it obeys their rules; it sits above the
/// features (Program.cs wires it), never under them in the infrastructure.
/// </summary>
public static class DemoContent
{
    /// <summary>With <c>Seed:DemoContent</c>, fills the demo street this start has just seeded (a new database); otherwise nothing.</summary>
    public static async Task SeedDemoContentAsync(this WebApplication app)
    {
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.DemoContent && app.Services.GetRequiredService<DemoStreetSeeding>().SeededThisStart)
        {
            await SeedAsync(app.Services);
        }
    }

    public static async Task SeedAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<Database>();
        var tenancy = services.GetRequiredService<Tenancy>();
        var keys = services.GetRequiredService<RecipientKeys>();
        var repairs = services.GetRequiredService<RepairStore>();
        var moves = services.GetRequiredService<RepairTransitionStore>();
        var opinions = services.GetRequiredService<OpinionStore>();
        var answers = services.GetRequiredService<OpinionAnswerStore>();
        var threads = services.GetRequiredService<ThreadStore>();
        var replies = services.GetRequiredService<ReplyStore>();
        var reactions = services.GetRequiredService<ReactionStore>();
        var volunteerCalls = services.GetRequiredService<VolunteerStore>();
        var projects = services.GetRequiredService<ProjectStore>();
        var moderation = services.GetRequiredService<HallModerationStore>();
        var time = services.GetRequiredService<TimeProvider>();

        async Task<(long Id, string Name, CommunityAccess Access)> UserAsync(string handle)
        {
            await using var connection = await database.OpenReadAsync();
            var (id, name) = await connection.QuerySingleAsync<(long, string)>("SELECT id, display_name FROM users WHERE handle = @handle;", new { handle });
            return (id, name, await tenancy.ForCommunityAsync(id, 1));
        }

        var resident = await UserAsync("resident");
        var tenant = await UserAsync("tenant");
        var property = await UserAsync("property");
        var technician = await UserAsync("technician");
        var owners = await UserAsync("owners");
        var residents = await UserAsync("residents");
        var secretary = await UserAsync("secretary");

        // 物业报修: a stairway light fixed and rated; a leak waiting for the service desk.
        var light = Must(await database.WriteAsync((c, t) => repairs.CreateAsync(c, t, tenant.Access,
            new NewRepairTicket("electric", "3号楼2楼楼道灯不亮,晚上老人上下楼很危险。", BuildingId: 3, CommonArea: "3号楼2楼楼道"),
            tenant.Id, "app", 3, null, false)));
        Must(await moves.TransitionAsync(light.Id, RepairStateMachine.Accept, property.Access, "已受理,今天安排师傅上门。"));
        Must(await moves.TransitionAsync(light.Id, RepairStateMachine.Assign, property.Access, null, technician.Id));
        Must(await moves.TransitionAsync(light.Id, RepairStateMachine.Start, technician.Access, null));
        Must(await moves.TransitionAsync(light.Id, RepairStateMachine.Resolve, technician.Access, "已更换声控灯。"));
        Must(await database.WriteAsync((c, t) => moves.RateAsync(c, t, light.Id, tenant.Access, new NewRepairRating(5, 5, 4, "师傅来得很快,态度也好。"))));
        Must(await database.WriteAsync((c, t) => repairs.CreateAsync(c, t, resident.Access,
            new NewRepairTicket("water", "卫生间天花板渗水,怀疑是楼上管道漏水,麻烦尽快来看看。", UnitId: resident.Access.UnitIds[0]),
            resident.Id, "app", 3, null, false)));

        // 大家来吐槽: an anonymous complaint the owners' committee answered; a suggestion still open.
        var complaint = Must(await database.WriteAsync((c, t) => opinions.CreateAsync(c, t, 1, new OpinionAuthor(resident.Id, resident.Name), keys.ForUser(resident.Id),
            new NewOpinionInput("complaint", "property_service", "物业费涨了,服务没跟上", "物业费今年涨了一成,可是楼道保洁从每天一次变成了两天一次,保安夜里也常常不在岗。",
                true, "public", false, null))));
        Must(await database.WriteAsync((c, t) => answers.AnswerAsync(c, t, complaint.Id, new OpinionViewer(owners.Access, new AuthorKeys(keys.ForUser(owners.Id), []), owners.Name),
            "业委会已约谈物业公司:下周起恢复每日保洁,夜间保安实行双岗,下月业主大会通报整改情况。", "public")));
        Must(await database.WriteAsync((c, t) => opinions.CreateAsync(c, t, 1, new OpinionAuthor(tenant.Id, tenant.Name), keys.ForUser(tenant.Id),
            new NewOpinionInput("suggestion", "community_life", "周末能不能办个旧物交换", "很多家庭有闲置的儿童书和玩具,建议居委会每月组织一次旧物交换集市。",
                false, "public", false, null))));

        // 议事厅: a pinned volunteer call, and a parking proposal adopted into a project.
        var volunteers = Must(await database.WriteAsync((c, t) => threads.CreateAsync(c, t, residents.Access,
            new NewThread("volunteer", "招募垃圾分类志愿者", "每天早上7点到9点在垃圾箱房指导分类,每人每月值班两次,欢迎报名!", "sanitation", null, 10))));
        Must(await database.WriteAsync((c, t) => volunteerCalls.SignUpAsync(c, t, tenant.Access, volunteers.Id)));
        Must(await moderation.ActAsync(secretary.Access, secretary.Name, "thread", volunteers.Id, "pin", null));
        var proposal = Must(await database.WriteAsync((c, t) => threads.CreateAsync(c, t, resident.Access,
            new NewThread("proposal", "把西侧空地改建成停车位", "小区西侧那块闲置空地杂草丛生,改成停车位能多出二三十个车位,缓解晚上停车难。", "parking"))));
        Must(await reactions.SetThreadSupportAsync(tenant.Access, proposal.Id, true));
        Must(await database.WriteAsync((c, t) => replies.ReplyAsync(c, t, tenant.Access, proposal.Id, new NewReply("支持!顺便装几个充电桩。"))));
        var project = Must(await database.WriteAsync((c, t) => projects.AdoptAsync(c, t, residents.Access, proposal.Id, "居民支持度高,居委会牵头推进。")));
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var consultation = Must(await database.WriteAsync((c, t) => projects.AddMilestoneAsync(c, t, residents.Access, project.Id, "方案公示,征求居民意见", today.AddDays(14))));
        Must(await database.WriteAsync((c, t) => projects.AddMilestoneAsync(c, t, residents.Access, project.Id, "施工并划线", today.AddDays(60))));
        Must(await projects.UpdateMilestoneAsync(residents.Access, project.Id, consultation.Id, true, "方案已在公告栏公示,收到意见32条。"));
    }

    private static T Must<T>(Outcome<T> outcome) =>
        outcome.Failed ? throw new InvalidOperationException($"Demo content could not be written: {outcome.Failure!.Title}") : outcome.Value!;
}
