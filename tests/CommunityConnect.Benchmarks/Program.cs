using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace CommunityConnect.Benchmarks;

// Not top-level statements: the api project already has a public Program class.
internal static class BenchmarkProgram
{
    /// <summary>
    /// Run all, on the short job (2 cores here):
    /// <c>dotnet run -c Release --project tests/CommunityConnect.Benchmarks -- --filter '*' --job short</c>
    /// </summary>
    public static void Main(string[] args) =>
        // The generated project builds slowly on a busy two-core machine: allow it more than the default two minutes.
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10)));
}
