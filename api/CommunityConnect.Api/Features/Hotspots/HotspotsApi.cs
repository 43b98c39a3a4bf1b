using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Jobs.Hotspots;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>The hotspot radar (issue 14 §2): several residents reporting the same thing in the same place become one case.</summary>
public static class HotspotsApi
{
    public static IServiceCollection AddHotspots(this IServiceCollection services) =>
        services.AddSingleton<HotspotRadar>()
            .AddSingleton<IHotspotRadar>(provider => provider.GetRequiredService<HotspotRadar>())
            .AddSingleton<HotspotStore>()
            .AddSingleton<HotspotSettingsStore>()
            .AddSingleton<ICaseAnswerHandler, HotspotAnswers>()
            .AddTransient<HotspotRadarJob>();

    public static RouteGroupBuilder MapHotspots(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Hotspots")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/hotspot-settings", GetSettings).WithName("GetHotspotSettings")
            .WithSummary("The radar's thresholds: distinct residents within a short window (hours) and a long one (days).")
            .WithDescription("Members of the community and its street's admins. Reads only: how many distinct residents reporting one " +
                "category in one place raise a hotspot within the short window (default 3 in 24 hours) or the long one " +
                "(default 5 in 7 days).");
        community.MapPut("/hotspot-settings", PutSettings).WithName("UpdateHotspotSettings")
            .WithSummary("Change the radar's thresholds (residents' committee).")
            .WithDescription("The residents' committee (others: 403). Sets both windows: shortWindowHours 1 to 72 with " +
                "shortWindowResidents 2 to 100, longWindowDays 1 to 30 with longWindowResidents 2 to 100, the long window " +
                "longer than the short one (at least two residents, so one person never raises a hotspot alone). The " +
                "radar's next run uses them; hotspots already raised stay. Answers the settings.")
            .ProducesProblem(403);
        community.MapGet("/hotspots", List).WithName("ListHotspots")
            .WithSummary("The community's hotspots, newest first (body members, the secretary, the street admin).")
            .WithDescription("Members of the bodies (property staff, the committees), the party secretary and the street admin; " +
                "residents: 403. Reads only: the hotspots whose case the caller sees (its body, one it climbed or was " +
                "transferred to, the secretary, the street admin), newest first, paged by cursor.")
            .ProducesProblem(403);

        v1.MapGet("/hotspots/{hotspotId:long}", Get).WithTags("Hotspots").RequireAuthorization().WithName("GetHotspot")
            .WithSummary("A hotspot with its items, listed without authors.")
            .WithDescription("Whoever sees its case: the members of every body it is or was with, the party secretary and the street " +
                "admin; for anyone else it does not exist (404). Reads only: category, place, the window it reached, " +
                "distinct residents (all anonymous reports count as one), its case's body and state, and its items " +
                "(kind, id, an excerpt, reported at) without authors. It is answered through POST /v1/cases/{caseId}/responses, " +
                "which tells every item's resident.")
            .ProducesProblem(404);
        return v1;
    }

    private static async Task<Ok<HotspotSettings>> GetSettings(long communityId, CommunityAccess access, HotspotSettingsStore store) =>
        TypedResults.Ok(await store.GetAsync(communityId));

    private static async Task<Results<Ok<HotspotSettings>, ValidationProblem, ProblemHttpResult>> PutSettings(
        long communityId, HotspotSettings input, CommunityAccess access, HotspotSettingsStore store)
    {
        if (!access.Has(Roles.ResidentsCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee sets the radar's thresholds.");
        }
        if (input.LongWindowDays * 24 <= input.ShortWindowHours)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["longWindowDays"] = ["The long window must be longer than the short one."],
            });
        }
        return TypedResults.Ok(await store.UpdateAsync(communityId, access.UserId, input));
    }

    private static async Task<Results<Ok<Page<HotspotCard>>, ValidationProblem, ProblemHttpResult>> List(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, HotspotStore store, RecipientKeys keys)
    {
        if (Bodies.ActedForBy(access).Length == 0)
        {
            return TypedResults.Problem(statusCode: 403, title: "Hotspots are for the property company, the committees, the secretary and the street office.");
        }
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(CaseReader.Of(access, new AuthorKeys(keys.ForUser(access.UserId), [])), before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, h => new IdCursor(h.Id)));
    }

    private static async Task<Results<Ok<Hotspot>, ProblemHttpResult>> Get(
        long hotspotId, HttpContext http, HotspotStore store, Tenancy tenancy, RecipientKeys keys)
    {
        var access = await tenancy.ForItemAsync(http, await store.CommunityOfAsync(hotspotId));
        var hotspot = access is null ? null : await store.GetAsync(hotspotId, CaseReader.Of(access, new AuthorKeys(keys.ForUser(access.UserId), [])));
        return hotspot is null ? TypedResults.Problem(statusCode: 404, title: "Hotspot was not found.") : TypedResults.Ok(hotspot);
    }
}
