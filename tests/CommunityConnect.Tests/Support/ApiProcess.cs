using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// The built api as a real child process: <c>dotnet CommunityConnect.Api.dll --urls http://127.0.0.1:PORT --role ROLE</c>
/// with its settings in the environment (<c>Section__Key</c>), started from the api's own build output (the same
/// configuration as the tests: Debug or Release), so that a test can run several nodes on one database, kill one
/// with SIGKILL, and watch what the others do. Its standard output and error are kept (the last
/// <see cref="MaxLogLines"/> lines) for the test output when a test fails (<see cref="ApiCluster.ReportOnFailureAsync"/>).
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    public const int MaxLogLines = 4000;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ApiProcess(string name, string role, int port, Process process)
    {
        Name = name;
        Role = role;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _process = process;
    }

    /// <summary>What the test calls it in messages ("web-1", "worker-2").</summary>
    public string Name { get; }

    public string Role { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The api's build output that the tests' own configuration produced (bin/Debug or bin/Release).</summary>
    public static string ApiDll { get; } = FindApiDll();

    /// <summary>
    /// The <c>Clock:Offset</c> that makes a node's domain clock read <paramref name="at"/> now (and move on in real time
    /// from there). Nodes that should share one clock take one offset: computed at each node's start, their clocks would
    /// differ by the time between the starts (a ballot opened on one would not be open yet on the other).
    /// </summary>
    public static TimeSpan ClockOffsetFor(DateTimeOffset at) => at - DateTimeOffset.UtcNow; // the one place the real clock is read

    /// <summary>
    /// Starts the node and waits (up to <paramref name="timeout"/>, default 120 s: a busy 2-core machine) until
    /// <c>/healthz</c> answers 200. <paramref name="clockOffset"/> moves its domain clock (<c>Clock:Offset</c>, see
    /// <see cref="ClockOffsetFor"/>); null keeps the system clock. A node that exits or never answers throws with its log.
    /// </summary>
    public static async Task<ApiProcess> StartAsync(string name, string role, IReadOnlyDictionary<string, string> settings,
        TimeSpan? clockOffset = null, TimeSpan? timeout = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ApiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ApiDll, "--urls", $"http://127.0.0.1:{port}", "--role", role })
        {
            start.ArgumentList.Add(argument);
        }
        // Whatever the test runner's environment says about ASP.NET Core, this node's own settings decide.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        if (clockOffset is { } offset)
        {
            start.Environment["Clock__Offset"] = offset.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new ApiProcess(name, role, port, process);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: dotnet did not start.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A test run that ends without disposing it (a crash, a cancelled run) takes its nodes with it.
        AppDomain.CurrentDomain.ProcessExit += node.KillOnExit;
        try
        {
            await node.WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(120));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>A client of this node (no token), with a timeout long enough for a loaded machine.</summary>
    public HttpClient CreateClient(string? bearerToken = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }
        return client;
    }

    /// <summary>SIGKILL (Process.Kill), no shutdown of any kind: a node that loses its power. Waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        _process.Kill(entireProcessTree: true);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
        Keep($"[test] {Name} killed (SIGKILL)");
    }

    /// <summary>The node's output so far (its last <see cref="MaxLogLines"/> lines).</summary>
    public string Log => string.Join('\n', _log);

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} ({Role}) stopped before it answered /healthz (exit code {_process.ExitCode}). Its output:\n{Log}");
            }
            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} ({Role}) did not answer /healthz within {timeout.TotalSeconds:0} s. Its output:\n{Log}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _log.Enqueue(line);
        while (_log.Count > MaxLogLines && _log.TryDequeue(out _))
        {
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindApiDll()
    {
        // The tests run from tests/CommunityConnect.Tests/bin/<Configuration>/<tfm>/; the api builds to api/CommunityConnect.Api/bin/<Configuration>/<tfm>/.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var dll = Path.Combine(Repository.Root, "api", "CommunityConnect.Api", "bin", configuration, tfm.Name, "CommunityConnect.Api.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The api is not built at {dll}: dotnet build (the tests' build builds it).", dll);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // never started, or already reaped
        }
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        _process.Dispose();
    }
}
