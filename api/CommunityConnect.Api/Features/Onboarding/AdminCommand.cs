using System.CommandLine;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Features.Onboarding;

/// <summary>
/// <c>CommunityConnect.Api admin …</c>: what an operator runs on the server to bootstrap a street (the
/// first street admin's invitation), list the streets and take a role back. It runs on the api's own
/// configuration, database and migrations, never seeds demo data, and exits without starting the web host.
/// </summary>
public static class AdminCommand
{
    public static bool IsRequested(string[] args) => args is ["admin", ..];

    /// <summary>The api's arguments without the command's (which are not configuration).</summary>
    public static string[] HostArguments(string[] args) => IsRequested(args) ? [] : args;

    /// <summary>The command never seeds: it may run against a Development database that is still empty.</summary>
    public static WebApplicationBuilder ForAdminCommand(this WebApplicationBuilder builder, string[] args)
    {
        if (IsRequested(args))
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Seed:Demo"] = "false",
                ["Seed:DemoContent"] = "false",
            });
        }
        return builder;
    }

    /// <summary>Migrates the database and runs the command (<paramref name="args"/> after <c>admin</c>); answers the exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        app.LoadKeys();
        await app.MigrateDatabaseAsync();
        return await InvokeAsync(app.Services, args[1..], Console.Out, Console.Error);
    }

    /// <summary>Runs the command against the services' database (the tests call this in-process).</summary>
    public static Task<int> InvokeAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error) =>
        Build(services, output).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

    private static RootCommand Build(IServiceProvider services, TextWriter output)
    {
        var root = new RootCommand("CommunityConnect server administration: bootstrap a street's first admin, list streets, revoke roles.");

        var street = new Option<string>("--street") { Description = "The street's name (created if new) or, for revoke, its id or name.", Required = true };
        var role = new Option<string>("--role") { Description = "The role: street_admin.", DefaultValueFactory = _ => Roles.StreetAdmin };
        role.AcceptOnlyFromAmong(Roles.StreetAdmin);
        var note = new Option<string?>("--note") { Description = "Who the invitation is for (name and title)." };
        var days = new Option<int>("--expires-in-days") { Description = "Days until the code expires (1 to 30).", DefaultValueFactory = _ => 7 };
        days.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 30)
            {
                result.AddError("--expires-in-days must be between 1 and 30.");
            }
        });
        var invite = new Command("invite", "Create a single-use invitation code for a street's admin, with the mini-app path and a QR code.")
            { street, role, note, days };
        invite.SetAction((parse, _) => InviteAsync(services, output, parse.GetValue(street)!, parse.GetValue(note), parse.GetValue(days)));

        var streets = new Command("streets", "List the streets with their communities and admins.");
        streets.SetAction((_, _) => StreetsAsync(services, output));

        var user = new Option<long>("--user") { Description = "The user's id (GET /v1/me, or the street's staff list).", Required = true };
        var revokeRole = new Option<string>("--role") { Description = "The role to take back.", Required = true };
        revokeRole.AcceptOnlyFromAmong([.. RoleGrants.InvitableRoles]);
        var scopeStreet = new Option<string?>("--street") { Description = "For street_admin: the street's id or name (default: every street)." };
        var scopeCommunity = new Option<long?>("--community") { Description = "For a community role: the community's id." };
        var revoke = new Command("revoke", "Take a role back from a user (logged in the role-change log).") { user, revokeRole, scopeStreet, scopeCommunity };
        revoke.SetAction((parse, _) => RevokeAsync(services, output, parse.GetValue(user), parse.GetValue(revokeRole)!,
            parse.GetValue(scopeStreet), parse.GetValue(scopeCommunity)));

        root.Add(invite);
        root.Add(streets);
        root.Add(revoke);
        return root;
    }

    private static async Task<int> InviteAsync(IServiceProvider services, TextWriter output, string streetName, string? note, int days)
    {
        streetName = streetName.Trim();
        if (streetName.Length is 0 or > 60)
        {
            await output.WriteLineAsync("--street must name the street (1 to 60 characters).");
            return 2;
        }
        var codes = services.GetRequiredService<InvitationCodes>();
        var store = services.GetRequiredService<InvitationStore>();
        var code = codes.NewCode();
        var input = new InvitationInput(Roles.StreetAdmin, Note: note, ExpiresInDays: days);
        var (streetId, created, invitation) = await services.GetRequiredService<Database>().WriteAsync(async (connection, transaction) =>
        {
            var (id, isNew) = await InvitationStore.FindOrCreateStreetAsync(connection, transaction, streetName);
            var outcome = await store.CreateAsync(connection, transaction, id, null, input, codes.Hash(code), createdBy: null);
            return (id, isNew, outcome.Value!);
        });
        await output.WriteLineAsync(created ? $"Created street {streetId} {streetName}." : $"Street {streetId} {streetName}.");
        await output.WriteLineAsync($"Invitation {invitation.Id}: street_admin of {streetName}, single use, expires {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC.");
        await output.WriteLineAsync($"Code: {code}");
        await output.WriteLineAsync($"Mini-app path: {codes.LinkOf(code)}");
        await output.WriteLineAsync("Scan in the mini-app (or POST /v1/invitations/redeem {\"code\": …} after logging in):");
        await output.WriteLineAsync(codes.Terminal(code));
        return 0;
    }

    private static async Task<int> StreetsAsync(IServiceProvider services, TextWriter output)
    {
        await using var connection = await services.GetRequiredService<Database>().OpenReadAsync();
        var rows = (await connection.QueryAsync<(long Id, string Name, long Communities, long Admins, long OpenInvitations)>(
            """
            SELECT s.id, s.name,
                   (SELECT COUNT(*) FROM communities c WHERE c.street_id = s.id),
                   (SELECT COUNT(*) FROM memberships m WHERE m.street_id = s.id AND m.role = 'street_admin'),
                   (SELECT COUNT(*) FROM invitations i WHERE i.street_id = s.id AND i.state = 'open')
            FROM streets s ORDER BY s.id;
            """)).ToList();
        if (rows.Count == 0)
        {
            await output.WriteLineAsync("No streets yet: admin invite --street \"…\" creates one.");
            return 0;
        }
        await output.WriteLineAsync("id\tstreet\tcommunities\tadmins\topen invitations");
        foreach (var row in rows)
        {
            await output.WriteLineAsync($"{row.Id}\t{row.Name}\t{row.Communities}\t{row.Admins}\t{row.OpenInvitations}");
        }
        return 0;
    }

    private static async Task<int> RevokeAsync(IServiceProvider services, TextWriter output, long userId, string role, string? street, long? communityId)
    {
        if (role != Roles.StreetAdmin && communityId is null)
        {
            await output.WriteLineAsync($"--community is required for {role}.");
            return 2;
        }
        var log = services.GetRequiredService<RoleChangeLog>();
        var removed = await services.GetRequiredService<Database>().WriteAsync(async (connection, transaction) =>
        {
            var rows = (await connection.QueryAsync<(long StreetId, long? CommunityId)>(
                """
                DELETE FROM memberships
                WHERE user_id = @userId AND role = @role
                  AND (@communityId IS NULL OR community_id = @communityId)
                  AND (@street IS NULL OR street_id IN (SELECT id FROM streets WHERE CAST(id AS TEXT) = @street OR name = @street))
                RETURNING COALESCE(street_id, (SELECT c.street_id FROM communities c WHERE c.id = memberships.community_id)), community_id;
                """, new { userId, role, communityId, street }, transaction)).ToList();
            foreach (var (streetId, community) in rows)
            {
                await log.RecordAsync(connection, transaction, new RoleChangeRecord(streetId, community, userId, role, "removed", RoleChangeCauses.AdminCommand));
            }
            return rows.Count;
        });
        await output.WriteLineAsync(removed == 0 ? $"User {userId} holds no {role} role there; nothing changed." : $"Took {role} back from user {userId} ({removed} role(s)).");
        return removed == 0 ? 1 : 0;
    }
}
