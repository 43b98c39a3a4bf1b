using System.Security.Cryptography;
using CommunityConnect.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Infrastructure.Files;

/// <summary>
/// File types recognised by their first bytes, never by their names (DESIGN.md: photos are checked by
/// their bytes). Repair photos, announcement attachments and account vouchers all ask here.
/// </summary>
public static class FileTypes
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Webp = "image/webp";
    public const string Pdf = "application/pdf";

    /// <summary>How many leading bytes <see cref="Sniff"/> needs.</summary>
    public const int HeadLength = 12;

    public static readonly IReadOnlySet<string> Images = new HashSet<string> { Jpeg, Png, Webp };

    public static readonly IReadOnlySet<string> ImagesAndPdf = new HashSet<string> { Jpeg, Png, Webp, Pdf };

    /// <summary>The type of a file by its first bytes (JPEG, PNG, WebP or PDF); null for anything else.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp;
        }
        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }
        return null;
    }

    /// <summary>The type of an upload by its first bytes, if it is one of <paramref name="allowed"/>.</summary>
    public static async Task<string?> SniffAsync(IFormFile file, IReadOnlySet<string> allowed, CancellationToken cancellationToken)
    {
        var head = new byte[HeadLength];
        int read;
        await using (var stream = file.OpenReadStream())
        {
            read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        }
        return Sniff(head.AsSpan(0, read)) is { } type && allowed.Contains(type) ? type : null;
    }

    public static string ExtensionOf(string contentType) => contentType switch
    {
        Jpeg => ".jpg",
        Png => ".png",
        Webp => ".webp",
        Pdf => ".pdf",
        _ => ".bin",
    };
}

/// <summary>
/// Uploaded files on disk beside the database, each in a folder of its own kind (<c>photos/</c>,
/// <c>attachments/</c>, <c>vouchers/</c>), under random names; a feature's row says whose a file is.
/// </summary>
public sealed class FileVault(Database database)
{
    /// <summary>DESIGN.md: uploads up to 5 MB each.</summary>
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>The request-size limit of an upload route: the file plus the multipart framing.</summary>
    public const long RequestLimit = MaxBytes + 256 * 1024;

    public string FolderOf(string kind) => Path.Combine(Path.GetDirectoryName(database.FilePath)!, kind);

    public string PathOf(string kind, string fileName) => Path.Combine(FolderOf(kind), fileName);

    /// <summary>Writes the upload to a new random file name; answers the name.</summary>
    public async Task<string> SaveAsync(string kind, IFormFile file, string contentType, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(FolderOf(kind));
        var name = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant() + FileTypes.ExtensionOf(contentType);
        await using var target = new FileStream(PathOf(kind, name), FileMode.CreateNew, FileAccess.Write);
        await file.CopyToAsync(target, cancellationToken);
        return name;
    }

    public void Delete(string kind, string fileName) => File.Delete(PathOf(kind, fileName));

    /// <summary>
    /// The whole upload: 413 over <see cref="MaxBytes"/>, 415 when the bytes are not one of
    /// <paramref name="allowed"/>, then the file is saved and <paramref name="record"/> (a unit of
    /// work that names the file) runs; when it fails, the file is removed again.
    /// </summary>
    public async Task<Outcome<T>> UploadAsync<T>(string kind, IFormFile file, IReadOnlySet<string> allowed, string allowedLabel,
        Func<string, string, Task<Outcome<T>>> record, CancellationToken cancellationToken)
    {
        if (file.Length > MaxBytes)
        {
            return new Failure(StatusCodes.Status413PayloadTooLarge, $"A file may be at most {MaxBytes / 1024 / 1024} MB.");
        }
        var contentType = await FileTypes.SniffAsync(file, allowed, cancellationToken);
        if (contentType is null)
        {
            return new Failure(StatusCodes.Status415UnsupportedMediaType, $"The file must be {allowedLabel}.",
                "The file's bytes are not of these types, whatever its name.");
        }
        var fileName = await SaveAsync(kind, file, contentType, cancellationToken);
        var kept = false;
        try
        {
            var outcome = await record(fileName, contentType);
            kept = !outcome.Failed;
            return outcome;
        }
        finally
        {
            if (!kept)
            {
                Delete(kind, fileName);
            }
        }
    }

    /// <summary>A stored file as an answer, or 404 when it has gone from the disk.</summary>
    public Results<PhysicalFileHttpResult, ProblemHttpResult> Serve(HttpContext http, string kind, string fileName, string contentType)
    {
        var path = PathOf(kind, fileName);
        if (!File.Exists(path))
        {
            return TypedResults.Problem(statusCode: 404, title: "File was not found.");
        }
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.PhysicalFile(path, contentType);
    }
}
