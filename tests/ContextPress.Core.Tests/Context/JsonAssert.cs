using System.Text.Json;
using Xunit;

namespace ContextPress.Tests.Context;

/// <summary>Compares JSON texts by meaning (property order and whitespace do not matter).</summary>
internal static class JsonAssert
{
    public static void Equivalent(string expected, string actual)
    {
        using JsonDocument expectedDocument = JsonDocument.Parse(expected);
        using JsonDocument actualDocument = JsonDocument.Parse(actual);
        Assert.True(
            JsonElement.DeepEquals(expectedDocument.RootElement, actualDocument.RootElement),
            $"JSON differs.{Environment.NewLine}Expected: {expected}{Environment.NewLine}Actual:   {actual}");
    }

    public static void Equivalent(JsonElement expected, string actual) => Equivalent(expected.GetRawText(), actual);
}
