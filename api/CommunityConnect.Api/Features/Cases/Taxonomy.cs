using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>The bodies that answer cases, and the rungs above them.</summary>
public static class Bodies
{
    public const string Property = "property";
    public const string OwnersCommittee = "owners_committee";
    public const string ResidentsCommittee = "residents_committee";
    public const string PartySecretary = "party_secretary";
    public const string StreetAdmin = "street_admin";

    /// <summary>The three carriages: the bodies a case can be routed or transferred to first.</summary>
    public static readonly IReadOnlyList<string> FirstBodies = [Property, OwnersCommittee, ResidentsCommittee];

    public static readonly IReadOnlyList<string> All = [Property, OwnersCommittee, ResidentsCommittee, PartySecretary, StreetAdmin];

    /// <summary>The membership role whose holders act for a body.</summary>
    public static string RoleOf(string body) => body == Property ? Infrastructure.Auth.Roles.PropertyStaff : body;

    /// <summary>The body a role acts for, or null (residents and owners act for no body).</summary>
    public static string? BodyOf(string role) => role switch
    {
        Infrastructure.Auth.Roles.PropertyStaff => Property,
        OwnersCommittee or ResidentsCommittee or PartySecretary or StreetAdmin => role,
        _ => null,
    };

    public static string Label(string body) => body switch
    {
        Property => "物业",
        OwnersCommittee => "业委会",
        ResidentsCommittee => "居委会",
        PartySecretary => "党支部",
        StreetAdmin => "街道",
        _ => body,
    };
}

/// <summary>
/// Categories and their default first body, as in shared/intake/TAXONOMY.md ("Categories and
/// default routing"). A community's routing table starts from these and may override them.
/// </summary>
public static class Taxonomy
{
    public static readonly IReadOnlyDictionary<string, string> DefaultRoutes = new Dictionary<string, string>
    {
        ["water"] = Bodies.Property,
        ["electric"] = Bodies.Property,
        ["elevator"] = Bodies.Property,
        ["gas"] = Bodies.Property,
        ["access"] = Bodies.Property,
        ["public_facility"] = Bodies.Property,
        ["sanitation"] = Bodies.Property,
        ["greenery"] = Bodies.Property,
        ["parking"] = Bodies.Property,
        ["security"] = Bodies.Property,
        ["property_service"] = Bodies.OwnersCommittee,
        ["funds"] = Bodies.OwnersCommittee,
        ["neighbor"] = Bodies.ResidentsCommittee,
        ["pets"] = Bodies.ResidentsCommittee,
        ["community_life"] = Bodies.ResidentsCommittee,
        ["other"] = Bodies.ResidentsCommittee,
    };

    public static IReadOnlyList<string> Categories { get; } = DefaultRoutes.Keys.ToList();

    public static bool IsCategory(string? category) => category is not null && DefaultRoutes.ContainsKey(category);

    /// <summary>
    /// TAXONOMY.md routing rule 2: a proposal whose category would go to the property company goes
    /// to the residents' committee instead (ideas are deliberated, not dispatched); funds stay with
    /// the owners' committee.
    /// </summary>
    public static string ForProposal(string routedBody) =>
        routedBody == Bodies.Property ? Bodies.ResidentsCommittee : routedBody;
}

/// <summary>A category of shared/intake/TAXONOMY.md.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class CategoryAttribute : ValidationAttribute, IAllowedValues
{
    public IReadOnlyList<string> Allowed => Taxonomy.Categories;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || Taxonomy.IsCategory(value as string)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} must be one of: {string.Join(", ", Taxonomy.Categories)}.");
}
