// Segment compression with a shared cache. With CONTEXTPRESS_REDIS=host:port the cache is Redis (shared by every
// process using the same server and namespace); without it, the in-memory default. Run it twice against the same
// Redis: the second process finds every segment cached.
//
//   dotnet run --project samples/SegmentCacheSample -c Release [-- FILE]
//   CONTEXTPRESS_REDIS=127.0.0.1:6379 dotnet run --project samples/SegmentCacheSample -c Release
//   docker compose up --build sample      (see docker-compose.yml)
using System.Globalization;
using System.Reflection;
using ContextPress.Segments;
using Microsoft.Extensions.DependencyInjection;

string? redis = Environment.GetEnvironmentVariable("CONTEXTPRESS_REDIS");
var services = new ServiceCollection()
    .AddSegmentCompression(o => o.Defaults = new SegmentCompressionOptions { Rate = 0.5, Namespace = "sample" });
if (!string.IsNullOrWhiteSpace(redis))
{
    services.AddContextPressRedisCache(o =>
    {
        o.Configuration = redis;
        o.Namespace = "contextpress-sample";
        o.TimeToLive = TimeSpan.FromHours(1);
    });
}

await using ServiceProvider provider = services.BuildServiceProvider();
SegmentCompressor compressor = provider.GetRequiredService<SegmentCompressor>();
string document = args.Length > 0 ? await File.ReadAllTextAsync(args[0]) : await ReadEmbeddedAsync("agent-history.txt");

Console.WriteLine($"cache: {compressor.Cache.GetType().Name}{(string.IsNullOrWhiteSpace(redis) ? string.Empty : " at " + redis)}");
SegmentCompressionResult? last = null;
for (int turn = 1; turn <= 3; turn++)
{
    last = await compressor.CompressAsync(document);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"turn {turn}: {last.Segments.Count} segments, {last.CacheHits} cache hits, {last.CacheMisses} compressed, {last.OriginalTokens} -> {last.CompressedTokens} tokens, {last.Elapsed.TotalMilliseconds:F2} ms"));
}

// Query-aware selection on top of the cached compression: the segments most relevant to a question, within a budget.
const string Question = "Which order was refunded and what is the tracking number?";
SegmentSelectionResult selection = await compressor.CompressForQuestionAsync(document, Question, tokenBudget: last!.CompressedTokens / 4);
Console.WriteLine($"question: {Question}");
Console.WriteLine($"kept segments {string.Join(", ", selection.SelectedIndices)} ({selection.Tokens} tokens):");
Console.WriteLine(selection.Text);

static async Task<string> ReadEmbeddedAsync(string name)
{
    await using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Missing embedded resource {name}.");
    using var reader = new StreamReader(stream);
    return await reader.ReadToEndAsync();
}
