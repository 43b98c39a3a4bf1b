using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.DiscussionHall;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>The project handlers of the hall's routes (see the route list in DiscussionHallApi.cs): the progress board and milestones.</summary>
public static partial class DiscussionHallApi
{
    private static readonly ProblemHttpResult ProjectNotFound = TypedResults.Problem(statusCode: 404, title: "Project was not found.");

    private static async Task<Results<Ok<Page<ProjectCard>>, ValidationProblem>> ProjectBoard(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, ProjectStore store)
    {
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.BoardAsync(communityId, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Ok<Project>, ProblemHttpResult>> GetProject(long projectId, HttpContext http, ProjectStore store, Tenancy tenancy)
    {
        var access = await AccessAsync(await store.CommunityOfAsync(projectId), http, tenancy);
        var project = access is null ? null : await store.GetAsync(projectId);
        return project is null ? ProjectNotFound : TypedResults.Ok(project);
    }

    private static async Task<Results<Created<ProjectMilestone>, ValidationProblem, ProblemHttpResult>> AddMilestone(
        long projectId, NewMilestone input, HttpContext http, ProjectStore store, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(await store.CommunityOfAsync(projectId), http, tenancy);
        if (access is null)
        {
            return ProjectNotFound;
        }
        if (!DateOnly.TryParseExact(input.DueDate, "yyyy-MM-dd", out var dueDate))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["dueDate"] = ["dueDate must be a calendar date written yyyy-MM-dd."] });
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.AddMilestoneAsync(connection, transaction, access, projectId, input.Title!.Trim(), dueDate), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        string LocationOf(ProjectMilestone milestone) => $"/v1/projects/{projectId}/milestones/{milestone.Id}";
    }

    private static async Task<Results<Ok<ProjectMilestone>, ProblemHttpResult>> UpdateMilestone(
        long projectId, long milestoneId, MilestoneUpdate input, HttpContext http, ProjectStore store, Tenancy tenancy)
    {
        var access = await AccessAsync(await store.CommunityOfAsync(projectId), http, tenancy);
        if (access is null)
        {
            return ProjectNotFound;
        }
        var note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        var outcome = await store.UpdateMilestoneAsync(access, projectId, milestoneId, input.Done!.Value, note);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
