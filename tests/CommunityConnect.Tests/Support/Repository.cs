namespace CommunityConnect.Tests.Support;

/// <summary>The repository the tests run from (the folder that holds CommunityConnect.sln).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CommunityConnect.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("CommunityConnect.sln not found above the test folder.");
    }
}
