using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Compression;

namespace ContextPress.Cli;

/// <summary>The <c>--report</c> JSON and the stderr summary line of a compression.</summary>
internal static class CompressionReport
{
    /// <summary>
    /// Builds the report:
    /// <c>{ "source", "inputBytes", "inputChars", "outputChars", "outputBytes", "encoding", "mode", "tokensBefore", "tokensAfter",
    /// "targetTokens", "requestedRate", "requestedTargetTokens", "rate", "ratio", "budgetFeasible", "chunks",
    /// "timingsMs": { "tokenize", "score", "select", "total" } }</c>.
    /// <c>ratio</c> is tokensBefore / tokensAfter, null when nothing was kept of a non-empty input;
    /// <c>rate</c> is tokensAfter / tokensBefore (1 for empty input).
    /// </summary>
    public static byte[] ToJson(PromptCompressionResult result, CliInputText input, PromptCompressionOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("source", input.Source);
            json.WriteNumber("inputBytes", input.Bytes);
            json.WriteNumber("inputChars", input.Text.Length);
            json.WriteNumber("outputChars", result.Text.Length);
            json.WriteNumber("outputBytes", Encoding.UTF8.GetByteCount(result.Text));
            json.WriteString("encoding", result.EncodingName);
            json.WriteString("mode", options.Mode == PromptCompressionMode.Reference ? "reference" : "default");
            json.WriteNumber("tokensBefore", result.OriginalTokens);
            json.WriteNumber("tokensAfter", result.CompressedTokens);
            json.WriteNumber("targetTokens", result.TargetTokens);
            if (options.TargetTokens is int requestedTarget)
            {
                json.WriteNull("requestedRate");
                json.WriteNumber("requestedTargetTokens", requestedTarget);
            }
            else
            {
                json.WriteNumber("requestedRate", options.Rate);
                json.WriteNull("requestedTargetTokens");
            }

            json.WriteNumber("rate", Math.Round(result.Rate, 6));
            if (double.IsFinite(result.Ratio))
            {
                json.WriteNumber("ratio", Math.Round(result.Ratio, 6));
            }
            else
            {
                json.WriteNull("ratio");
            }

            json.WriteBoolean("budgetFeasible", result.BudgetFeasible);
            json.WriteNumber("chunks", result.Chunks);
            json.WriteStartObject("timingsMs");
            json.WriteNumber("tokenize", Milliseconds(result.Timings.Tokenize));
            json.WriteNumber("score", Milliseconds(result.Timings.Score));
            json.WriteNumber("select", Milliseconds(result.Timings.Select));
            json.WriteNumber("total", Milliseconds(result.Timings.Total));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>One line, for example <c>compressed 812 -> 401 tokens (rate 0.49, 2.0x) in 3.1 ms</c>.</summary>
    public static string Summary(PromptCompressionResult result)
    {
        string ratio = double.IsFinite(result.Ratio) ? result.Ratio.ToString("0.0", CultureInfo.InvariantCulture) : "inf";
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"compressed {result.OriginalTokens} -> {result.CompressedTokens} tokens (rate {result.Rate:0.00}, {ratio}x) in {result.Timings.Total.TotalMilliseconds:0.0} ms");
        if (!result.BudgetFeasible)
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"; budget of {result.TargetTokens} tokens not met: force-kept words (force tokens, digits) alone need more");
        }

        return line;
    }

    private static double Milliseconds(TimeSpan elapsed) => Math.Round(elapsed.TotalMilliseconds, 3);
}
