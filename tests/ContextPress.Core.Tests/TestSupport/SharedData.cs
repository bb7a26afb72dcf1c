using System.IO.Compression;
using System.Text.Json;

namespace ContextPress.Tests.TestSupport;

/// <summary>Finds <c>../shared</c> beside the repository; tests that need it skip when it is absent.</summary>
internal static class SharedData
{
    private static readonly Lazy<string?> s_root = new(FindRoot);

    public static string? Root => s_root.Value;

    /// <summary>Returns the path of a file under shared/, or skips the test when it is absent.</summary>
    public static string RequireFile(string relativePath)
    {
        string? path = Root is null ? null : Path.Combine(Root, relativePath);
        if (path is null || !File.Exists(path))
        {
            Assert.Skip($"shared/{relativePath} is not available");
        }

        return path!;
    }

    /// <summary>NQ-open oracle passages (CC BY-SA 3.0), or a skip.</summary>
    public static IReadOnlyList<string> NaturalQuestionsPassages(int count)
    {
        string path = RequireFile("research-data/lost-in-the-middle_nq-open-oracle.jsonl.gz");
        var passages = new List<string>();
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (passages.Count < count && reader.ReadLine() is { } line)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            passages.Add(doc.RootElement.GetProperty("ctxs")[0].GetProperty("text").GetString()!);
        }

        return passages;
    }

    private static string? FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Middleware.sln")))
            {
                string shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}
