using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>The sweep's text family: charsets, UTF-8 spellings, odd multipart uploads, noncharacters and lone surrogates in bodies and queries.</summary>
public sealed partial class BadInputSweepTests
{
    [Fact]
    public async Task ABodyInACharsetOtherThanUtf8IsRefusedCleanlyEverywhere()
    {
        await EnsureItemsAsync();
        var client = await App.ClientFor("secretary");
        var failures = new List<string>();
        foreach (var operation in OpenApiOperation.All().Where(o => o.HasJsonBody))
        {
            foreach (var (contentType, named) in OddContentTypes)
            {
                var (status, text) = await Send(client, Json(operation, operation.SampleBody(), contentType: contentType), failures, mustRefuse: true);
                if (named is not null && (status != 415 || !text.Contains(named, StringComparison.Ordinal)))
                {
                    failures.Add($"{status} for {operation} with {contentType}: expected 415 naming {named}: {text}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json")]
    public async Task Utf8InAnySpellingIsRead(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"kind":"discussion","title":"电梯又坏了","body":"三号楼的电梯停了两天"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await (await App.ClientFor("tenant")).PostAsync("/v1/communities/1/threads", content);
        Assert.Equal("电梯又坏了", (await response.Expect(HttpStatusCode.Created)).Text("title"));
    }

    [Fact]
    public async Task ACharsetOrAnOddMultipartOnAPhotoUploadIsRefusedCleanly()
    {
        await EnsureItemsAsync();
        var resident = await App.ClientFor("resident");
        var failures = new List<string>();
        foreach (var (outer, part) in new (string?, string?)[] { ("bogus-8", null), ("utf-16", null), ("\"\"", null), (null, "bogus-8"), (null, "\"\"") })
        {
            var content = new MultipartFormDataContent("sweep-boundary");
            var file = new ByteArrayContent(RepairTestKit.Png());
            file.Headers.TryAddWithoutValidation("Content-Type", part is null ? "image/png" : $"image/png; charset={part}");
            content.Add(file, "file", "light.png");
            if (outer is not null)
            {
                content.Headers.Remove("Content-Type");
                content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary=sweep-boundary; charset={outer}");
            }
            var (status, _) = await Send(resident, new HttpRequestMessage(HttpMethod.Post, "/v1/repairs/1/photos") { Content = content }, failures);
            if (outer is not null && status != 415)
            {
                failures.Add($"{status} for a photo upload in charset {outer}: expected 415");
            }
        }
        var png = Encoding.Latin1.GetString(RepairTestKit.Png());
        var odd = new (string ContentType, string Body)[]
        {
            ("multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc\r\n--x--\r\n"),
            ("multipart/form-data; boundary=y", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc\r\n--x--\r\n"),
            ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n" + png),
            ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\uFFFE.png\"\r\nContent-Type: image/png; charset=bogus-8\r\n\r\n" + png + "\r\n--x--\r\n"),
            ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=bogus-8\r\n\r\n\uFFFE\r\n--x--\r\n"),
            ("multipart/form-data; boundary=x", "--x\r\n" + new string('h', 20_000) + ": v\r\n\r\nabc\r\n--x--\r\n"),
            ("multipart/form-data; boundary=x", string.Concat(Enumerable.Repeat("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n" + png + "\r\n", 12)) + "--x--\r\n"),
            ("multipart/form-data; boundary=" + new string('b', 200), "--x--\r\n"),
            ("application/octet-stream", png),
        };
        foreach (var (contentType, body) in odd)
        {
            var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body.Replace("\uFFFE", "\u00EF\u00BF\u00BE")));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            await Send(resident, new HttpRequestMessage(HttpMethod.Post, "/v1/repairs/1/photos") { Content = content }, failures);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task ANoncharacterInAnyStringOfAnyBodyIsABadRequestNamingTheField()
    {
        await EnsureItemsAsync();
        var client = await App.ClientFor("secretary");
        var failures = new List<string>();
        var checkedFields = 0;
        foreach (var operation in OpenApiOperation.All().Where(o => o.HasJsonBody))
        {
            foreach (var (field, _, _, with) in operation.Fields("string"))
            {
                checkedFields++;
                for (var i = 0; i < HostileText.Length; i++)
                {
                    var hostile = HostileText[i];
                    // Half of them raw (UTF-8 bytes), half escaped (\uFFFE), as clients send either.
                    var text = i % 2 == 0 ? hostile : string.Concat(hostile.Select(c => $"\\u{(int)c:X4}"));
                    var json = with("在这里\u0001MARK结束").Replace("\\u0001MARK", text);
                    var (status, answer) = await Send(client, Json(operation, json), failures, mustRefuse: true);
                    if (status != 400 || !NamesField(answer, field))
                    {
                        failures.Add($"{status} for {operation} with U+{char.ConvertToUtf32(hostile, 0):X4} in {field}: expected 400 naming {field}: {answer}");
                    }
                }
            }
        }
        Assert.True(checkedFields >= 40, $"only {checkedFields} string fields found");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task ALoneSurrogateInAnyStringOfAnyBodyIsABadRequestNamingTheField()
    {
        await EnsureItemsAsync();
        var client = await App.ClientFor("secretary");
        var failures = new List<string>();
        foreach (var operation in OpenApiOperation.All().Where(o => o.HasJsonBody))
        {
            foreach (var (field, _, _, with) in operation.Fields("string"))
            {
                var json = with("\u0001MARK").Replace("\\u0001MARK", "a\\uD800b");
                var (status, answer) = await Send(client, Json(operation, json), failures, mustRefuse: true);
                if (status != 400 || !NamesField(answer, field))
                {
                    failures.Add($"{status} for {operation} with a lone surrogate in {field}: expected 400 naming {field}: {answer}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task ANoncharacterInATextQueryParameterIsABadRequestNamingIt()
    {
        await EnsureItemsAsync();
        var client = await App.ClientFor("secretary");
        var failures = new List<string>();
        var checkedParameters = 0;
        foreach (var operation in OpenApiOperation.All())
        {
            foreach (var name in operation.TextQueryParameters)
            {
                checkedParameters++;
                foreach (var hostile in HostileText)
                {
                    var url = $"{operation.Path()}?{name}={Uri.EscapeDataString("pending" + hostile)}";
                    var request = new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), url);
                    if (operation.HasJsonBody)
                    {
                        request.Content = new StringContent(operation.SampleBody(), Encoding.UTF8, "application/json");
                    }
                    var (status, answer) = await Send(client, request, failures, mustRefuse: true);
                    if (status != 400 || !NamesField(answer, name))
                    {
                        failures.Add($"{status} for {operation} with U+{char.ConvertToUtf32(hostile, 0):X4} in ?{name}: expected 400 naming it: {answer}");
                    }
                }
            }
        }
        Assert.True(checkedParameters >= 15, $"only {checkedParameters} text query parameters found");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }
}
