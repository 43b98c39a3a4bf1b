namespace CommunityConnect.Api.Infrastructure.Text;

/// <summary>
/// A validation attribute that allows only a fixed set of strings. The OpenAPI document lists them
/// as the property's <c>enum</c>, so the schema says what validation says.
/// </summary>
public interface IAllowedValues
{
    IReadOnlyList<string> Allowed { get; }
}
