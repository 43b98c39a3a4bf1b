using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// The api on a real Kestrel host on 127.0.0.1 (a random port) serving the built H5 client at /app, and
/// Debian's chromium driven by Playwright (by its path: never `playwright install`) on a 390 × 844 phone
/// viewport. Without chromium or a built client (no Node on a developer's machine) the browser tests are
/// skipped with the reason; with CI=true they fail instead, so CI never passes without running them.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CC_CHROMIUM") ?? "/usr/bin/chromium";

    public static string ClientIndex => Path.Combine(Repository.Root, "api", "CommunityConnect.Api", "ClientApp", "dist", "index.html");

    /// <summary>Screenshots of every page the tests open, beside the test binaries.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "h5-screenshots");

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public CommunityApp App { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? MissingPart() =>
        !File.Exists(ChromiumPath)
            ? $"Chromium is not installed at {ChromiumPath} (Debian: apt-get install chromium fonts-noto-cjk; .ci/run does it)."
            : !File.Exists(ClientIndex)
                ? $"The H5 client is not built ({ClientIndex} is missing): dotnet build builds it when Node.js 20+ is installed."
                : null;

    /// <summary>Skips the calling test with the reason when chromium or the built client is missing; fails instead under CI=true.</summary>
    public static void Require()
    {
        var missing = MissingPart();
        if (missing is null)
        {
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"CI=true and the browser tests cannot run: {missing}");
        }
        Skip.If(true, $"H5 browser test skipped: {missing}");
    }

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)App).InitializeAsync();
        if (MissingPart() is not null)
        {
            return;
        }
        // A lived-in 示范小区 for the pages and their screenshots.
        App.Settings["Seed:DemoContent"] = "true";
        App.UseKestrel(0);
        App.StartServer();
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("localhost", "127.0.0.1").TrimEnd('/');
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Nothing but the page under test: no background networking, component updates or first-run work.
            Args =
            [
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-default-browser-check", "--metrics-recording-only",
                "--disable-domain-reliability", "--no-sandbox",
            ],
        });
    }

    /// <summary>A fresh phone (its own storage, so its own login) on the app.</summary>
    public async Task<IPage> NewPhone()
    {
        var context = await _browser!.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            BaseURL = BaseUrl,
        });
        // Generous: CI's two cores also run the rest of the suite beside the browser.
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        await ((IAsyncLifetime)App).DisposeAsync();
    }
}
