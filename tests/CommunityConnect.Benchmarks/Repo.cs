namespace CommunityConnect.Benchmarks;

internal static class Repo
{
    /// <summary>
    /// The api project's folder (its content root), found by walking up from the benchmark's
    /// binaries to the folder holding CommunityConnect.sln. BenchmarkDotNet runs each benchmark
    /// from a generated project in a subfolder, so the walk works from there too.
    /// </summary>
    public static string ApiFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommunityConnect.sln")))
            {
                return Path.Combine(dir.FullName, "api", "CommunityConnect.Api");
            }
        }
        return AppContext.BaseDirectory;
    }
}
