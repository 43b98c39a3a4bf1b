using System.Net;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>Photos: checked by their bytes, up to 5 MB and 9 per ticket, served only to those who see the ticket.</summary>
public sealed class RepairPhotoTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> UnitTicket()
    {
        var reporter = await app.ClientFor("resident");
        return (await Report(reporter, new { category = "water", description = "天花板渗水", unitId = await UnitOf(reporter) })).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task ARealPngIsStoredUnderTheDataFolderAndServedToThoseWhoSeeTheTicket()
    {
        var reporter = await app.ClientFor("resident");
        var ticketId = await UnitTicket();
        var png = Png(3, 2);
        var created = await (await UploadPhoto(reporter, ticketId, png, "leak.png", "image/png")).Expect(HttpStatusCode.Created);
        var url = created.GetProperty("url").GetString()!;

        var ticket = await Get(reporter, ticketId);
        var photo = ticket.GetProperty("photos").EnumerateArray().Single();
        Assert.Equal("image/png", photo.GetProperty("contentType").GetString());
        Assert.Equal(png.Length, photo.GetProperty("size").GetInt64());

        var served = await reporter.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientFor("property")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ClientFor("street")).GetAsync(url)).StatusCode);
        await (await (await app.ClientFor("tenant")).GetAsync(url)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync(url)).ExpectProblem(HttpStatusCode.NotFound);
        await (await reporter.GetAsync("/v1/photos/999999")).ExpectProblem(HttpStatusCode.NotFound);

        // On disk under the database's folder, with a random name (not the uploaded one).
        var files = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(app.DatabasePath)!, "photos"));
        Assert.Contains(files, f => File.ReadAllBytes(f).SequenceEqual(png));
        Assert.DoesNotContain(files, f => f.Contains("leak"));
    }

    [Fact]
    public async Task ATextFileNamedJpgIsRefused()
    {
        var ticketId = await UnitTicket();
        var response = await UploadPhoto(await app.ClientFor("resident"), ticketId, "这不是图片,只是文字"u8.ToArray(), "photo.jpg", "image/jpeg");
        await response.ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Empty((await Get(await app.ClientFor("resident"), ticketId)).GetProperty("photos").EnumerateArray());
    }

    [Fact]
    public async Task JpegAndWebpAreKnownByTheirBytes()
    {
        var ticketId = await UnitTicket();
        var reporter = await app.ClientFor("resident");
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0x00, 0x01, 0x02];
        byte[] webp = [.. "RIFF"u8, 0x1A, 0x00, 0x00, 0x00, .. "WEBPVP8 "u8, 0x0E, 0x00, 0x00, 0x00];
        await (await UploadPhoto(reporter, ticketId, jpeg, "a.bin", "application/octet-stream")).Expect(HttpStatusCode.Created);
        await (await UploadPhoto(reporter, ticketId, webp, "b.bin", "application/octet-stream")).Expect(HttpStatusCode.Created);
        Assert.Equal(["image/jpeg", "image/webp"],
            (await Get(reporter, ticketId)).GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("contentType").GetString()));
    }

    [Fact]
    public async Task APhotoOverFiveMegabytesIsRefused()
    {
        var ticketId = await UnitTicket();
        var big = new byte[5 * 1024 * 1024 + 1];
        Png().AsSpan(0, 8).CopyTo(big);
        await (await UploadPhoto(await app.ClientFor("resident"), ticketId, big, "big.png", "image/png")).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task TheTenthPhotoIsRefused()
    {
        var ticketId = await UnitTicket();
        var reporter = await app.ClientFor("resident");
        for (var i = 0; i < 9; i++)
        {
            await (await UploadPhoto(reporter, ticketId, Png(i + 1, 1), $"p{i}.png", "image/png")).Expect(HttpStatusCode.Created);
        }
        await (await UploadPhoto(await app.ClientFor("property"), ticketId, Png(), "p10.png", "image/png")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(9, (await Get(reporter, ticketId)).GetProperty("photos").GetArrayLength());
    }

    [Fact]
    public async Task OnlyTheReporterAndStaffAddPhotos()
    {
        var ticketId = await UnitTicket();
        await (await UploadPhoto(await app.ClientFor("owners"), ticketId, Png(), "x.png", "image/png")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await UploadPhoto(await app.ClientFor("tenant"), ticketId, Png(), "x.png", "image/png")).ExpectProblem(HttpStatusCode.NotFound);
        await (await UploadPhoto(await app.ClientFor("property"), ticketId, Png(), "after.png", "image/png")).Expect(HttpStatusCode.Created);
    }
}
