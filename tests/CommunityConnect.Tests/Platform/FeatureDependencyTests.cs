using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The shape of the house: features may build on one another but never in a circle (what two
/// features share belongs to neither, or is an interface in the lower one), and the infrastructure
/// under the features never reaches up into them (demo content lives above, in <c>Demo/</c>).
/// Read from the source, as a reviewer reads it.
/// </summary>
public sealed class FeatureDependencyTests
{
    private static readonly string Api = Path.Combine(Repository.Root, "api", "CommunityConnect.Api");

    private static readonly IReadOnlyList<string> Features =
        Directory.GetDirectories(Path.Combine(Api, "Features")).Select(Path.GetFileName).OfType<string>().Order().ToList();

    /// <summary>A feature named by its namespace (<c>using CommunityConnect.Api.Features.Cases;</c>, <c>Features.Cases.Bodies</c>).</summary>
    private static readonly Regex ByNamespace = new(@"\bFeatures\.(?<feature>[A-Z]\w*)", RegexOptions.Compiled);

    /// <summary>A feature named from a sibling namespace (<c>Cases.Bodies.Label</c>, <c>Inbox.Inbox</c>).</summary>
    private static readonly Regex ByName = new(@"(?<![\w.])(?<feature>[A-Z]\w*)\.(?=[A-Z])", RegexOptions.Compiled);

    /// <summary>Comments and string literals, which may name anything.</summary>
    private static readonly Regex Noise = new(@"//[^\n]*|""""""[\s\S]*?""""""|@?""(?:[^""\\\n]|\\.)*""", RegexOptions.Compiled);

    private static IEnumerable<string> SourcesUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    private static HashSet<string> FeaturesNamedIn(string path)
    {
        var code = Noise.Replace(File.ReadAllText(path), " ");
        return ByNamespace.Matches(code).Concat(ByName.Matches(code))
            .Select(match => match.Groups["feature"].Value)
            .Where(Features.Contains)
            .ToHashSet();
    }

    private static Dictionary<string, HashSet<string>> Graph() =>
        Features.ToDictionary(feature => feature, feature =>
            SourcesUnder(Path.Combine(Api, "Features", feature)).SelectMany(FeaturesNamedIn).Where(other => other != feature).ToHashSet());

    [Fact]
    public void NoTwoFeaturesNeedEachOtherInACircle()
    {
        var graph = Graph();
        var cycles = new List<string>();
        foreach (var start in Features)
        {
            // Depth-first from each feature: a path back to it is a circle.
            var stack = new Stack<List<string>>([[start]]);
            var seen = new HashSet<string>();
            while (stack.Count > 0)
            {
                var path = stack.Pop();
                foreach (var next in graph[path[^1]])
                {
                    if (next == start)
                    {
                        cycles.Add(string.Join(" → ", path.Append(start)));
                    }
                    else if (seen.Add(next))
                    {
                        stack.Push([.. path, next]);
                    }
                }
            }
        }
        Assert.True(cycles.Count == 0, "Features that need each other:\n" + string.Join("\n", cycles.Distinct()));
    }

    [Fact]
    public void TheInfrastructureNeverReachesIntoAFeature()
    {
        var offenders = SourcesUnder(Path.Combine(Api, "Infrastructure"))
            .Select(path => (path, features: FeaturesNamedIn(path)))
            .Where(x => x.features.Count > 0)
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.path)} uses {string.Join(", ", x.features)}")
            .ToList();
        Assert.True(offenders.Count == 0, "The infrastructure reaches into features:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void TheCheckSeesTheDependenciesThatAreThere()
    {
        var graph = Graph();
        Assert.Contains("Cases", graph["ComplaintBox"]);
        Assert.Contains("Cases", graph["Escalation"]);
        Assert.Contains("DiscussionHall", graph["Moderation"]);
        Assert.Contains("Inbox", graph["Cases"]);
        Assert.Contains("Repairs", FeaturesNamedIn(Path.Combine(Api, "Demo", "DemoContent.cs")));
    }
}
