using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CommunityConnect.Tests.Support;

/// <summary>Reporting and moving repair tickets through the api, and image bytes for photo tests.</summary>
public static class RepairTestKit
{
    /// <summary>The unit a resident lives in (their first membership with a unit).</summary>
    public static async Task<long> UnitOf(HttpClient client)
    {
        var me = await client.GetFromJsonAsync<JsonElement>("/v1/me");
        return me.GetProperty("memberships").EnumerateArray()
            .First(m => m.GetProperty("unitId").ValueKind == JsonValueKind.Number).GetProperty("unitId").GetInt64();
    }

    /// <summary>Reports a ticket (201) and answers it.</summary>
    public static async Task<JsonElement> Report(HttpClient client, object body, long communityId = 1) =>
        await (await client.PostJson($"/v1/communities/{communityId}/repairs", body)).Expect(HttpStatusCode.Created);

    /// <summary>Reports a common-area ticket (seen by every member) and answers its id.</summary>
    public static async Task<long> ReportCommonArea(HttpClient client, string category = "electric", string area = "3号楼楼道") =>
        (await Report(client, new { category, description = "楼道灯不亮,晚上看不见台阶", commonArea = area, buildingId = 3 })).GetProperty("id").GetInt64();

    /// <summary>Runs an action that must succeed (200) and answers the ticket.</summary>
    public static async Task<JsonElement> Act(HttpClient client, long ticketId, string action, object? body = null) =>
        await (await client.PostJson($"/v1/repairs/{ticketId}/{action}", body ?? new { })).Expect(HttpStatusCode.OK);

    public static async Task<JsonElement> Get(HttpClient client, long ticketId) =>
        await (await client.GetAsync($"/v1/repairs/{ticketId}")).Expect(HttpStatusCode.OK);

    public static async Task<JsonElement> Rate(HttpClient client, long ticketId, int timeliness, int attitude, int quality, string? comment = null) =>
        await (await client.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness, attitude, quality, comment })).Expect(HttpStatusCode.Created);

    public static string StateOf(JsonElement ticket) => ticket.GetProperty("state").GetString()!;

    /// <summary>Uploads bytes as the multipart field <c>file</c>.</summary>
    public static Task<HttpResponseMessage> UploadPhoto(HttpClient client, long ticketId, byte[] bytes, string fileName, string contentType = "image/jpeg")
    {
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Add(file, "file", fileName);
        return client.PostAsync($"/v1/repairs/{ticketId}/photos", content);
    }

    /// <summary>A real PNG image of width × height grey pixels (signature, IHDR, IDAT, IEND with their CRCs).</summary>
    public static byte[] Png(int width = 2, int height = 2)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        WriteChunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                raw.WriteByte(0x80);
            }
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw.ToArray());
        }
        WriteChunk(output, "IDAT", compressed.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        WriteBigEndian(length, 0, (uint)data.Length);
        output.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32(typed));
        output.Write(crc);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
