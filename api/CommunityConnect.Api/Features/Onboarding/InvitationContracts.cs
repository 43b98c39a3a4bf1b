using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Identity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Onboarding;

/// <summary>
/// An invitation to a role: street_admin of a street (streetId), or a community role (communityId). note is the
/// person's name and title; manager marks property staff who may invite the company's staff.
/// </summary>
public sealed record InvitationInput(
    [property: Required, OneOf(Roles.StreetAdmin, Roles.PartySecretary, Roles.ResidentsCommittee, Roles.OwnersCommittee, Roles.PropertyStaff)] string? Role,
    long? StreetId = null,
    long? CommunityId = null,
    [property: TextLength(100, Min = 0)] string? Note = null,
    bool? Manager = null,
    [property: Range(1, 30)] int? ExpiresInDays = null);

/// <summary>An invitation as it is kept (no code: only its keyed hash is stored).</summary>
public sealed record Invitation
{
    public long Id { get; init; }
    public string Role { get; init; } = "";
    public long StreetId { get; init; }
    public long? CommunityId { get; init; }
    public string? Note { get; init; }
    public bool Manager { get; init; }
    public string State { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RedeemedAt { get; init; }
}

/// <summary>A new invitation with its code, the mini-app link and the QR code (PNG, base64), shown this once.</summary>
public sealed record CreatedInvitation(
    long Id, string Role, long StreetId, long? CommunityId, string? Note, bool Manager, string State,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Code, string Link, string QrPng);

public sealed record RedeemInput([property: Required, StringLength(120, MinimumLength = 1)] string? Code);

/// <summary>What redeeming granted, and every membership the user now holds.</summary>
public sealed record RedeemedInvitation(long InvitationId, string Role, long StreetId, long? CommunityId, IReadOnlyList<Membership> Memberships);
