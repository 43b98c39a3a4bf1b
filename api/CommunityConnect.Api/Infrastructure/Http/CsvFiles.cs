using System.Text;
using CsvHelper;

namespace CommunityConnect.Api.Infrastructure.Http;

/// <summary>
/// CSV downloads (RFC 4180, by CsvHelper): UTF-8 with a byte-order mark so spreadsheet programs read
/// Chinese, and fields that a spreadsheet would run as a formula (=, +, -, @) escaped.
/// </summary>
public static class CsvFiles
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static byte[] Write(IReadOnlyList<string> header, IEnumerable<string?[]> rows)
    {
        using var buffer = new MemoryStream();
        using (var text = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape, NewLine = "\r\n" }, true))
        {
            csv.WriteHeader(header.ToArray());
            foreach (var row in rows)
            {
                csv.WriteRecord(row.Select(field => field ?? "").ToArray());
            }
        }
        return buffer.ToArray();
    }
}
