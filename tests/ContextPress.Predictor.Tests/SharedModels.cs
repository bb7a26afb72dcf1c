namespace ContextPress.Predictor.Tests;

/// <summary>Finds <c>shared/models</c> by walking up from the test's directory (tests skip when it is absent).</summary>
internal static class SharedModels
{
    public static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
