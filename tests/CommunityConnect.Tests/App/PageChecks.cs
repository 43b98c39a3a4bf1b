using System.Text.Json;
using CommunityConnect.Tests.Support;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CommunityConnect.Tests.App;

/// <summary>
/// What every page of the H5 client must pass, measured in the page itself: axe (no serious or critical
/// violation), touch targets (44 × 44 px, 60 × 60 px for the tab bar and primary buttons in elder mode),
/// and in elder mode text of at least 18 px, contrast of at least 4.5:1 and no pop-up.
/// </summary>
internal static class PageChecks
{
    /// <summary>A screenshot to the test output, then every check; <paramref name="elder"/> adds elder mode's.</summary>
    public static async Task Check(IPage page, string name, ITestOutputHelper output, bool elder = false)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var file = Path.Combine(BrowserApp.ScreenshotFolder, $"{name}.png");
        await page.ScreenshotAsync(new() { Path = file });
        output.WriteLine($"screenshot {file}");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, $"{name}: axe found serious or critical violations:\n{string.Join("\n", serious)}");

        var small = await Measure(page, "smallTargets", 44);
        Assert.True(small.Count == 0, $"{name}: touch targets under 44 × 44 px:\n{string.Join("\n", small)}");
        Assert.Empty(await Measure(page, "popups", 0));
        if (!elder)
        {
            return;
        }
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.classList.contains('elder')"), $"{name}: elder mode is off");
        var smallMain = await Measure(page, "smallMainControls", 60);
        Assert.True(smallMain.Count == 0, $"{name}: elder mode's tab bar or primary buttons under 60 × 60 px:\n{string.Join("\n", smallMain)}");
        var smallText = await Measure(page, "smallText", 18);
        Assert.True(smallText.Count == 0, $"{name}: elder mode's text under 18 px:\n{string.Join("\n", smallText)}");
        var lowContrast = await Measure(page, "lowContrast", 4.5);
        Assert.True(lowContrast.Count == 0, $"{name}: elder mode's text under 4.5:1 contrast:\n{string.Join("\n", lowContrast)}");
    }

    private static async Task<List<string>> Measure(IPage page, string what, double limit)
    {
        var found = await page.EvaluateAsync<JsonElement>(Script, new object[] { what, limit });
        return found.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    /// <summary>Runs in the page: each measure answers the offending elements, described.</summary>
    private const string Script =
        """
        ([what, limit]) => {
          const shown = el => {
            const r = el.getBoundingClientRect(), s = getComputedStyle(el);
            return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0
              && !el.closest('[aria-hidden="true"]');
          };
          const describe = (el, extra) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent || '').trim().slice(0, 20)}" ${extra}`;
          const size = el => { const r = el.getBoundingClientRect(); return `${r.width.toFixed(1)}×${r.height.toFixed(1)}`; };
          const tooSmall = (el, min) => { const r = el.getBoundingClientRect(); return r.width < min - 0.5 || r.height < min - 0.5; };
          const textElements = () => [...document.body.querySelectorAll('*')].filter(el =>
            [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && shown(el)
            && !el.closest('.sr-only') && !['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName));
          const rgba = c => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
          const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
          const background = el => {
            const layers = [];
            for (let e = el; e; e = e.parentElement) {
              const c = rgba(getComputedStyle(e).backgroundColor);
              if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
            }
            return layers.reverse().reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
          };
          const luminance = c => {
            const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
          };
          const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
          const targets = 'button, a[href], [role=button], [role=tab], [role=radio], [role=switch], [role=checkbox], input:not([type=hidden]):not([type=file]), textarea, label.file';
          switch (what) {
            case 'smallTargets':
              return [...document.querySelectorAll(targets)].filter(shown).filter(el => tooSmall(el, limit)).map(el => describe(el, size(el)));
            case 'smallMainControls':
              return [...document.querySelectorAll('.van-tabbar-item, .van-button--primary')].filter(shown).filter(el => tooSmall(el, limit)).map(el => describe(el, size(el)));
            case 'smallText':
              return textElements().filter(el => parseFloat(getComputedStyle(el).fontSize) < limit).map(el => describe(el, getComputedStyle(el).fontSize));
            case 'lowContrast':
              return textElements().filter(el => !el.closest('[disabled], .van-button--disabled, .van-radio--disabled')).map(el => {
                const fg = rgba(getComputedStyle(el).color), bg = background(el);
                return [el, contrast(fg.a < 1 ? over(fg, bg) : fg, bg)];
              }).filter(([, ratio]) => ratio < limit).map(([el, ratio]) => describe(el, `${ratio.toFixed(2)}:1 ${getComputedStyle(el).color} on ${getComputedStyle(el).backgroundColor}`));
            case 'popups':
              return [...document.querySelectorAll('.van-popup, .van-toast, .van-dialog, .van-overlay, [role=dialog], [role=alertdialog]')].filter(shown).map(el => describe(el, ''));
          }
          return [`unknown measure ${what}`];
        }
        """;
}
