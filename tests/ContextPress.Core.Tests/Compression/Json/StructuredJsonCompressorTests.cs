using System.Text.Json;
using ContextPress.Compression;
using ContextPress.Compression.Json;
using ContextPress.Tests.TestSupport;
using ContextPress.Tokens;

namespace ContextPress.Tests.Compression.Json;

public class StructuredJsonCompressorTests
{
    private static readonly PromptCompressor s_prose = PromptCompressor.CreateDefault();
    private static readonly StructuredJsonCompressor s_compressor = new(s_prose);
    private static readonly Lazy<string> s_orders = new(() => JsonSamples.Orders());

    public static TheoryData<int> Levels => [0, 1, 2, 3];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task EveryLevel_WritesMinifiedValidJson_WithUnchangedKeysIdsNumbersDatesAndEmails(int level)
    {
        string input = s_orders.Value;
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, cancellationToken: Ct);

        Assert.Equal(level, result.Level);
        using JsonDocument output = JsonDocument.Parse(result.Json);
        using JsonDocument original = JsonDocument.Parse(input);
        Assert.DoesNotContain('\n', result.Json);
        Assert.Equal(TiktokenTokenCounter.O200k.CountTokens(result.Json), result.TokensAfter);
        Assert.Equal(TiktokenTokenCounter.O200k.CountTokens(input), result.TokensBefore);

        Dictionary<string, JsonElement> byId = [];
        foreach (JsonElement element in Objects(original.RootElement))
        {
            if (element.TryGetProperty("id", out JsonElement id))
            {
                byId[id.GetString()!] = element;
            }
        }

        int checkedObjects = 0;
        foreach (JsonElement element in Objects(output.RootElement))
        {
            if (!element.TryGetProperty("id", out JsonElement id))
            {
                continue;
            }

            // Every object with an id is one of the input's, and every property it kept is the input's own key with the
            // same number, boolean, identifier, date, e-mail or URL; only long prose strings may be shorter.
            JsonElement source = byId[id.GetString()!];
            foreach (JsonProperty property in element.EnumerateObject())
            {
                Assert.True(source.TryGetProperty(property.Name, out JsonElement before), $"key {property.Name} was invented");
                AssertSameOrShortenedProse(before, property.Value);
            }

            if (id.GetString()!.StartsWith("ORD-", StringComparison.Ordinal))
            {
                foreach (string key in new[] { "id", "status", "amount_total", "currency", "created_at" })
                {
                    Assert.Equal(source.GetProperty(key).GetRawText(), element.GetProperty(key).GetRawText());
                }
            }

            if (element.TryGetProperty("email", out JsonElement email))
            {
                Assert.Equal(source.GetProperty("email").GetString(), email.GetString());
            }

            checkedObjects++;
        }

        Assert.True(checkedObjects >= 2, $"only {checkedObjects} objects with ids were kept");
        Assert.Equal(200, output.RootElement.GetProperty("total_count").GetInt32());
        Assert.Equal("cur_9f8e7d6c5b4a", output.RootElement.GetProperty("next_cursor").GetString());
        Assert.True(output.RootElement.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task SmallRecord_SurvivesEveryLevelByteForByte(int level)
    {
        const string input = """
            {"contact":{"id":"u_1f3a9","email":"ann.lee@example.com","updated_at":"2024-01-05T10:00:00Z","score":1.50,
            "big":1e3,"neg":-0.0,"active":false,"uuid":"3f2b8c1e-9a4d-4c2e-8f7a-1b2c3d4e5f60","site":"https://example.com/a?b=c",
            "plan":"pro_annual","zip":"04-123"}}
            """;
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, cancellationToken: Ct);

        Assert.Equal(
            """{"contact":{"id":"u_1f3a9","email":"ann.lee@example.com","updated_at":"2024-01-05T10:00:00Z","score":1.50,"big":1e3,"neg":-0.0,"active":false,"uuid":"3f2b8c1e-9a4d-4c2e-8f7a-1b2c3d4e5f60","site":"https://example.com/a?b=c","plan":"pro_annual","zip":"04-123"}}""",
            result.Json);
        Assert.Equal(0, result.StringsCompressed);
        Assert.Equal(0, result.ElementsRemoved);
        Assert.Equal(0, result.FieldsDropped);
    }

    [Fact]
    public async Task Level0_DropsNullsEmptiesAndBoilerplate_ButKeepsFalseZeroAndArrayPositions()
    {
        const string input = """
            {
              "id": "acct_1", "name": null, "nickname": "", "tags": [], "meta": {}, "_links": {"self": {"href": "/a/1"}},
              "__typename": "Account", "$schema": "https://x/schema.json", "@odata.context": "https://x/$metadata#Accounts",
              "wrapper": {"inner": {"gone": null, "_links": {}}},
              "verified": false, "balance": 0, "row": [1, null, "", {}, 3]
            }
            """;
        JsonCompressionResult result = await s_compressor.CompressAsync(input, new JsonCompressionOptions { TargetTokens = 10_000 }, Ct);

        Assert.Equal(0, result.Level);
        Assert.True(result.FitsTarget);
        Assert.Equal("""{"id":"acct_1","verified":false,"balance":0,"row":[1,null,"",{},3]}""", result.Json);
        Assert.Equal(12, result.FieldsDropped); // 8 at the top, and wrapper's gone, _links, inner and wrapper itself
        Assert.True(result.TokensAfter < result.TokensBefore);
    }

    [Fact]
    public async Task Boilerplate_IsConfigurable_AndIdLikeKeysAreRejected()
    {
        const string input = """{"id":"a1","debug":{"trace":"x"},"_links":{"self":"/a1"}}""";
        JsonCompressionResult result = await s_compressor.CompressAsync(input, new JsonCompressionOptions { BoilerplateKeys = ["debug"] }, Ct);
        Assert.Equal("""{"id":"a1","_links":{"self":"/a1"}}""", result.Json);

        foreach (string idKey in new[] { "id", "_id", "order_id", "customerId", "uuid", "sku" })
        {
            var options = new JsonCompressionOptions { BoilerplateKeys = ["_links", idKey] };
            Assert.Throws<ArgumentException>(options.Validate);
            await Assert.ThrowsAsync<ArgumentException>(async () => await s_compressor.CompressAsync(input, options, Ct));
        }
    }

    [Fact]
    public async Task ProtectedValue_InANonEssentialField_IsKept_ButBoilerplateGoesAllTheSame()
    {
        const string input = """{"items":[{"id":"a","blob":"x-KEEP-1"},{"id":"b","blob":"y"},{"id":"c","blob":"z"},{"id":"d","blob":"w"}],"_links":{"next":"KEEP-2"}}""";
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, new JsonCompressionOptions { ProtectedValues = ["KEEP-1", "KEEP-2"] }, Ct);

        Assert.Equal("""{"items":[{"id":"a","blob":"x-KEEP-1"},{"id":"b"},"… 2 more items omitted"]}""", result.Json);
        Assert.Equal(2, result.ElementsRemoved);
        Assert.Equal(2, result.FieldsDropped);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task ProtectedValues_SurviveTrimming_AndMarkerCountsAreExact(int level)
    {
        string input = s_orders.Value;
        string[] protectedIds = [JsonSamples.OrderId(157), JsonSamples.OrderId(42), JsonSamples.OrderId(199)];
        var options = new JsonCompressionOptions { ProtectedValues = protectedIds };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, options, Ct);

        using JsonDocument output = JsonDocument.Parse(result.Json);
        JsonElement data = output.RootElement.GetProperty("data");
        List<string> ids = [];
        int omitted = 0;
        int markers = 0;
        foreach (JsonElement item in data.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                Assert.True(StructuredJsonCompressor.TryParseOmittedItemsMarker(item.GetString(), out omitted));
                markers++;
            }
            else
            {
                Assert.Equal(0, markers); // the marker comes last
                ids.Add(item.GetProperty("id").GetString()!);
            }
        }

        foreach (string id in protectedIds)
        {
            Assert.Contains(id, ids);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids); // original order
        Assert.Equal(200, ids.Count + omitted);
        Assert.Equal(level == 0 ? 0 : 1, markers);
        int expectedKept = level switch { 0 => 200, 1 => 8, 2 => 4, _ => 3 };
        Assert.Equal(expectedKept, ids.Count);
        if (level == 1)
        {
            // The protected ones, then the first ones.
            Assert.Equal(["ORD-00001", "ORD-00002", "ORD-00003", "ORD-00004", "ORD-00005", "ORD-00042", "ORD-00157", "ORD-00199"], ids);
        }

        Assert.Equal(MarkerTotal(output.RootElement), result.ElementsRemoved);
    }

    [Fact]
    public async Task Trimming_PrefersElementsMentioningRelevantTerms()
    {
        string[] cities = ["Oslo", "Rome", "Lima", "Kyiv", "Rome", "Oslo", "Cairo", "Rome", "Lima", "Oslo", "Quito", "Doha"];
        string input = JsonSerializer.Serialize(cities.Select((city, i) => new { id = $"t{i}", city, note = i == 9 ? "refund requested" : "ok" }));
        var options = new JsonCompressionOptions { MaxArrayItems = 3, RelevantTerms = ["rome", "REFUND"] };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 2, options, Ct);

        // Level 2 keeps max(2, 3 / 2) = 2: the relevant ones, earliest first.
        Assert.Equal("""[{"id":"t1","city":"Rome","note":"ok"},{"id":"t4","city":"Rome","note":"ok"},"… 10 more items omitted"]""", result.Json);

        JsonCompressionResult level1 = await s_compressor.CompressAtLevelAsync(input, 1, options, Ct);
        using JsonDocument doc = JsonDocument.Parse(level1.Json);
        string[] kept = [.. doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => e.GetProperty("id").GetString()!)];
        Assert.Equal(["t1", "t4", "t7"], kept);
        Assert.Equal(9, level1.ElementsRemoved);
    }

    [Fact]
    public async Task ProtectedElements_BeyondTheLimit_AreAllKept()
    {
        int[] numbers = [.. Enumerable.Range(100, 40)];
        string input = JsonSerializer.Serialize(new { values = numbers });
        var options = new JsonCompressionOptions { ProtectedValues = ["105", "110", "120", "130", "139"] };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);

        Assert.Equal("""{"values":[105,110,120,130,139,"… 35 more items omitted"]}""", result.Json);
        Assert.Equal(35, result.ElementsRemoved);
    }

    [Fact]
    public async Task NestedArrays_EachGetTheirOwnExactMarker()
    {
        string input = JsonSerializer.Serialize(new
        {
            groups = Enumerable.Range(0, 20).Select(g => new { id = g, members = Enumerable.Range(0, g).Select(m => $"m{g}-{m}").ToArray() }),
        });
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 2, cancellationToken: Ct);

        using JsonDocument doc = JsonDocument.Parse(result.Json);
        JsonElement groups = doc.RootElement.GetProperty("groups");
        Assert.Equal(5, groups.GetArrayLength());
        Assert.True(StructuredJsonCompressor.TryParseOmittedItemsMarker(groups[4].GetString(), out int groupsOmitted));
        Assert.Equal(16, groupsOmitted);
        for (int g = 0; g < 4; g++)
        {
            JsonElement group = groups[g];
            Assert.Equal(g, group.GetProperty("id").GetInt32());
            if (group.TryGetProperty("members", out JsonElement members))
            {
                Assert.Equal(g, members.GetArrayLength()); // at most 8: untouched
            }
            else
            {
                Assert.Equal(0, g); // the empty array was dropped
            }
        }

        Assert.Equal(MarkerTotal(doc.RootElement), result.ElementsRemoved);
    }

    [Fact]
    public async Task LongProseStrings_Shrink_ByLevel_AndKeepDigitsAndIdentifiers()
    {
        string input = JsonSerializer.Serialize(new { id = "inc_7", summary = JsonSamples.Prose, title = "Billing migration" });
        int proseTokens = TiktokenTokenCounter.O200k.CountTokens(JsonSamples.Prose);

        string[] summaries = new string[4];
        for (int level = 0; level <= 3; level++)
        {
            JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, cancellationToken: Ct);
            using JsonDocument doc = JsonDocument.Parse(result.Json);
            summaries[level] = doc.RootElement.GetProperty("summary").GetString()!;
            Assert.Equal("inc_7", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal("Billing migration", doc.RootElement.GetProperty("title").GetString());
            Assert.Equal(level == 0 ? 0 : 1, result.StringsCompressed);
            TextAssert.WellFormedUtf16(summaries[level]);
        }

        Assert.Equal(JsonSamples.Prose, summaries[0]);
        int[] tokens = [.. summaries.Select(s => TiktokenTokenCounter.O200k.CountTokens(s))];
        Assert.InRange(tokens[1], proseTokens * 0.35, proseTokens * 0.6);
        Assert.InRange(tokens[2], proseTokens * 0.15, proseTokens * 0.35);
        Assert.True(tokens[3] < tokens[2], $"{tokens[3]} >= {tokens[2]}");
        foreach (string kept in new[] { "37", "INC-4821" })
        {
            Assert.Contains(kept, summaries[1], StringComparison.Ordinal);
            Assert.Contains(kept, summaries[2], StringComparison.Ordinal);
        }

        Assert.Equal(
            "The migration of the billing service finished overnight without any customer-facing downtime\u2026",
            summaries[3]);
    }

    [Fact]
    public async Task Level3_CutsToTheFirstSentence_WhenItIsShort()
    {
        string prose = "Refund approved for the damaged chair. " + JsonSamples.Prose;
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(JsonSerializer.Serialize(new { note = prose }), 3, cancellationToken: Ct);
        Assert.Equal("""{"note":"Refund approved for the damaged chair. …"}""", result.Json);
    }

    [Fact]
    public async Task ShortOrProtectedOrNonProseStrings_AreNeverChanged()
    {
        string protectedProse = JsonSamples.Prose + " Contact ops-lead@example.com for details.";
        string noSpaces = string.Concat(Enumerable.Repeat("aGVsbG8gd29ybGQh", 40));
        string embeddedJson = "[" + string.Join(", ", Enumerable.Range(0, 60).Select(i => $"\"value number {i}\"")) + "]";
        string shortProse = "Left at the front desk as requested.";
        string input = JsonSerializer.Serialize(new { protectedProse, noSpaces, embeddedJson, shortProse });

        var options = new JsonCompressionOptions { ProtectedValues = ["ops-lead@example.com"] };
        for (int level = 0; level <= 3; level++)
        {
            JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, options, Ct);
            using JsonDocument doc = JsonDocument.Parse(result.Json);
            Assert.Equal(protectedProse, doc.RootElement.GetProperty("protectedProse").GetString());
            Assert.Equal(noSpaces, doc.RootElement.GetProperty("noSpaces").GetString());
            Assert.Equal(embeddedJson, doc.RootElement.GetProperty("embeddedJson").GetString());
            Assert.Equal(shortProse, doc.RootElement.GetProperty("shortProse").GetString());
            Assert.Equal(0, result.StringsCompressed);
        }
    }

    [Fact]
    public async Task Level3_ObjectsInArrays_KeepOnlyEssentialFields()
    {
        const string input = """
            {"owner":{"id":"u1","bio":"kept: not inside an array"},
             "rows":[{"id":1,"customer_id":"c9","orderId":"o1","name":"Desk","total":10.5,"createdAt":"2024-01-02","status":"paid",
                      "type":"sale","email":"a@b.co","code":"X1","color":"red","weight_kg":12,"notes":{"a":1}},
                     {"colour":"blue","size":"L","fabric":"wool","lining":"silk","extra":{"deep":true}}]}
            """;
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, cancellationToken: Ct);

        Assert.Equal(
            """{"owner":{"id":"u1","bio":"kept: not inside an array"},"rows":[{"id":1,"customer_id":"c9","orderId":"o1","name":"Desk","total":10.5,"createdAt":"2024-01-02","status":"paid","type":"sale","email":"a@b.co","code":"X1"},{"colour":"blue","size":"L","fabric":"wool"}]}""",
            result.Json);
        Assert.Equal(5, result.FieldsDropped);
    }

    [Fact]
    public async Task TargetTokens_PicksTheLeastAggressiveLevelThatFits()
    {
        string input = s_orders.Value;
        int[] levelTokens = new int[4];
        for (int level = 0; level <= 3; level++)
        {
            levelTokens[level] = (await s_compressor.CompressAtLevelAsync(input, level, cancellationToken: Ct)).TokensAfter;
        }

        int before = TiktokenTokenCounter.O200k.CountTokens(input);
        Assert.True(before > levelTokens[0] && levelTokens[0] > levelTokens[1] && levelTokens[1] > levelTokens[2] && levelTokens[2] > levelTokens[3], string.Join(", ", levelTokens));

        (int Target, int Level)[] cases =
        [
            (before, 0), (levelTokens[0], 0), (levelTokens[0] - 1, 1), (levelTokens[1], 1),
            ((levelTokens[1] + levelTokens[2]) / 2, 2), (levelTokens[2], 2), (levelTokens[2] - 1, 3), (levelTokens[3], 3),
        ];
        foreach ((int target, int expectedLevel) in cases)
        {
            JsonCompressionResult result = await s_compressor.CompressAsync(input, new JsonCompressionOptions { TargetTokens = target }, Ct);
            Assert.True(result.FitsTarget, $"target {target}");
            Assert.Equal(expectedLevel, result.Level);
            Assert.True(result.TokensAfter <= target, $"{result.TokensAfter} > {target}");
            Assert.Equal(levelTokens[expectedLevel], result.TokensAfter);
        }
    }

    [Fact]
    public async Task TargetTokens_Infeasible_ReturnsTheMostAggressiveLevel_AndSaysSo()
    {
        string input = s_orders.Value;
        JsonCompressionResult level3 = await s_compressor.CompressAtLevelAsync(input, 3, cancellationToken: Ct);
        JsonCompressionResult result = await s_compressor.CompressAsync(input, new JsonCompressionOptions { TargetTokens = level3.TokensAfter - 1 }, Ct);

        Assert.False(result.FitsTarget);
        Assert.Equal(StructuredJsonCompressor.MaxLevel, result.Level);
        Assert.Equal(level3.Json, result.Json);
        using JsonDocument _ = JsonDocument.Parse(result.Json);

        JsonCompressionResult zero = await s_compressor.CompressAsync("""{"id":"x"}""", new JsonCompressionOptions { TargetTokens = 0 }, Ct);
        Assert.False(zero.FitsTarget);
        Assert.Equal("""{"id":"x"}""", zero.Json);
    }

    [Fact]
    public async Task NoTarget_AppliesTheDefaultLevelOnce()
    {
        string input = s_orders.Value;
        JsonCompressionResult result = await s_compressor.CompressAsync(input, cancellationToken: Ct);
        JsonCompressionResult level = await s_compressor.CompressAtLevelAsync(input, StructuredJsonCompressor.DefaultLevel, cancellationToken: Ct);

        Assert.Equal(StructuredJsonCompressor.DefaultLevel, result.Level);
        Assert.True(result.FitsTarget);
        Assert.Equal(level.Json, result.Json);
        Assert.True(result.ElementsRemoved > 0 && result.StringsCompressed > 0 && result.FieldsDropped > 0);
    }

    [Fact]
    public async Task RealisticOrderList_CompressesToAQuarter_KeepingAProtectedOrderDeepInTheList()
    {
        string input = s_orders.Value;
        string deepId = JsonSamples.OrderId(173);
        using JsonDocument original = JsonDocument.Parse(input);
        JsonElement source = original.RootElement.GetProperty("data")[172];
        int before = TiktokenTokenCounter.O200k.CountTokens(input);
        Assert.True(before > 30_000, $"{before} tokens");

        var options = new JsonCompressionOptions { TargetTokens = before / 4, ProtectedValues = [deepId], RelevantTerms = ["refunded"] };
        JsonCompressionResult result = await s_compressor.CompressAsync(input, options, Ct);

        Assert.True(result.FitsTarget);
        Assert.True(result.TokensAfter <= before / 4, $"{result.TokensAfter} > {before / 4}");
        Assert.Equal(before, result.TokensBefore);
        using JsonDocument output = JsonDocument.Parse(result.Json);
        JsonElement kept = output.RootElement.GetProperty("data").EnumerateArray()
            .Single(e => e.ValueKind == JsonValueKind.Object && e.GetProperty("id").GetString() == deepId);

        // The protected order keeps every identifier, number, date and e-mail (only its prose description may be shorter).
        foreach (string key in new[] { "status", "amount_total", "currency", "created_at", "tracking_url" })
        {
            Assert.Equal(source.GetProperty(key).GetRawText(), kept.GetProperty(key).GetRawText());
        }

        Assert.Equal(source.GetProperty("customer").GetProperty("email").GetString(), kept.GetProperty("customer").GetProperty("email").GetString());
        Assert.True(JsonElement.DeepEquals(source.GetProperty("items"), kept.GetProperty("items")));
        Assert.True(JsonElement.DeepEquals(source.GetProperty("customer").GetProperty("address"), kept.GetProperty("customer").GetProperty("address")));
        Assert.False(kept.TryGetProperty("__typename", out _));
        Assert.False(kept.TryGetProperty("notes", out _));

        int objects = output.RootElement.GetProperty("data").EnumerateArray().Count(e => e.ValueKind == JsonValueKind.Object);
        Assert.Equal(200, objects + MarkerTotal(output.RootElement.GetProperty("data")));
        Assert.All(
            output.RootElement.GetProperty("data").EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object && e.GetProperty("id").GetString() != deepId),
            e => Assert.True(e.GetProperty("status").GetString() == "refunded" || string.CompareOrdinal(e.GetProperty("id").GetString(), "ORD-00010") < 0));
    }

    [Fact]
    public async Task InvalidJson_ThrowsFormatException_WithTheParserMessage()
    {
        string[] inputs = ["{\"a\": 1,}", "[1, 2", "{\"a\" 1}", "not json", "", "{\"a\":1} trailing"];
        foreach (string input in inputs)
        {
            FormatException ex = await Assert.ThrowsAsync<FormatException>(async () => await s_compressor.CompressAsync(input, cancellationToken: Ct));
            JsonException parser = Assert.IsAssignableFrom<JsonException>(ex.InnerException);
            Assert.Equal(parser.Message, ex.Message);
        }

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await s_compressor.CompressAsync(null!, cancellationToken: Ct));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Unicode_CjkEmojiAndAccents_StayIntactAndReadable(int level)
    {
        const string input = """
            {"名前":"東京タワー","status":"✅ 完了","emoji":"🚀🎉","city":"São Paulo","rtl":"שלום עולם","id":"ユーザー_42",
             "list":[{"id":"a","name":"Zürich 🇨🇭"},{"id":"b","name":"北京"}],"escaped":"line\nbreak \"quoted\" \\ tab\t"}
            """;
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, cancellationToken: Ct);

        foreach (string text in new[] { "\"名前\":\"東京タワー\"", "✅ 完了", "🚀🎉", "São Paulo", "שלום עולם", "ユーザー_42", "Zürich 🇨🇭", "北京" })
        {
            Assert.Contains(text, result.Json, StringComparison.Ordinal);
        }

        TextAssert.WellFormedUtf16(result.Json);
        using JsonDocument doc = JsonDocument.Parse(result.Json);
        Assert.Equal("line\nbreak \"quoted\" \\ tab\t", doc.RootElement.GetProperty("escaped").GetString());
    }

    [Fact]
    public async Task LongUnicodeProse_IsCompressedWithoutSplittingCharacters()
    {
        string prose = string.Concat(Enumerable.Repeat("Die Lieferung nach Zürich 🚚 wurde verschoben, weil der Fahrer krank ist — 東京 office informed 🙏. ", 6));
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(JsonSerializer.Serialize(new { note = prose }), 2, cancellationToken: Ct);

        Assert.Equal(1, result.StringsCompressed);
        TextAssert.WellFormedUtf16(result.Json);
        using JsonDocument doc = JsonDocument.Parse(result.Json);
        Assert.True(doc.RootElement.GetProperty("note").GetString()!.Length < prose.Length);
    }

    [Fact]
    public async Task InvalidSurrogateEscapes_AreCopiedAsGiven()
    {
        const string input = """{"bad":"\ud800 x","list":[1,2,3],"ok":"fine","odd":{"\udc00": 1, "n": null}}""";
        JsonCompressionResult result = await s_compressor.CompressAsync(input, cancellationToken: Ct);
        Assert.Equal("""{"bad":"\ud800 x","list":[1,2,3],"ok":"fine","odd":{"\udc00": 1, "n": null}}""", result.Json);
        Assert.Equal(0, result.FieldsDropped);
        using JsonDocument _ = JsonDocument.Parse(result.Json);
    }

    [Fact]
    public async Task Output_IsDeterministic_AndTheCompressorIsThreadSafe()
    {
        string input = s_orders.Value;
        var options = new JsonCompressionOptions { TargetTokens = 3000, ProtectedValues = [JsonSamples.OrderId(77)], RelevantTerms = ["shipped"] };
        JsonCompressionResult first = await s_compressor.CompressAsync(input, options, Ct);

        JsonCompressionResult[] parallel = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await s_compressor.CompressAsync(input, options, Ct), Ct)));
        var fresh = new StructuredJsonCompressor(PromptCompressor.CreateDefault());
        JsonCompressionResult again = await fresh.CompressAsync(input, options, Ct);

        Assert.All(parallel, r => Assert.Equal(first.Json, r.Json));
        Assert.Equal(first.Json, again.Json);
        Assert.Equal(first.Level, again.Level);
        Assert.Equal(first.ElementsRemoved, again.ElementsRemoved);
        Assert.Equal(first.StringsCompressed, again.StringsCompressed);
        Assert.Equal(first.FieldsDropped, again.FieldsDropped);
    }

    [Theory]
    [InlineData("""{"a":1}""", true)]
    [InlineData("""  [1, 2, {"b": null}]  """, true)]
    [InlineData("\n\t{ }\n", true)]
    [InlineData("""{"a":1""", false)]
    [InlineData("""{"a":1} {"b":2}""", false)]
    [InlineData("\"just a string\"", false)]
    [InlineData("42", false)]
    [InlineData("{not json}", false)]
    [InlineData("[citation needed]", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData(null, false)]
    public void LooksLikeJson_RequiresAnObjectOrArrayThatParses(string? text, bool expected) =>
        Assert.Equal(expected, StructuredJsonCompressor.LooksLikeJson(text));

    [Fact]
    public async Task ScalarAndEmptyRoots_AreKept()
    {
        Assert.Equal("{}", (await s_compressor.CompressAsync(" { \"a\" : null } ", cancellationToken: Ct)).Json);
        Assert.Equal("[]", (await s_compressor.CompressAsync("[ ]", cancellationToken: Ct)).Json);
        Assert.Equal("null", (await s_compressor.CompressAsync("null", cancellationToken: Ct)).Json);
        Assert.Equal("\"\"", (await s_compressor.CompressAsync("\"\"", cancellationToken: Ct)).Json);
        Assert.Equal("1.0", (await s_compressor.CompressAsync(" 1.0 ", cancellationToken: Ct)).Json);
    }

    [Fact]
    public void Marker_FormatsAndParses()
    {
        Assert.Equal("… 37 more items omitted", StructuredJsonCompressor.FormatOmittedItemsMarker(37));
        Assert.Equal("… 37 more items omitted", string.Format(System.Globalization.CultureInfo.InvariantCulture, StructuredJsonCompressor.OmittedItemsMarkerFormat, 37));
        Assert.True(StructuredJsonCompressor.TryParseOmittedItemsMarker("… 1200 more items omitted", out int count));
        Assert.Equal(1200, count);
        Assert.False(StructuredJsonCompressor.TryParseOmittedItemsMarker("… some more items omitted", out _));
        Assert.False(StructuredJsonCompressor.TryParseOmittedItemsMarker("… -3 more items omitted", out _));
        Assert.False(StructuredJsonCompressor.TryParseOmittedItemsMarker("37 more items omitted", out _));
        Assert.False(StructuredJsonCompressor.TryParseOmittedItemsMarker(null, out _));
    }

    [Fact]
    public void Options_Validate_RejectsOutOfRangeSettings()
    {
        JsonCompressionOptions.Default.Validate();
        Assert.Equal(["_links", "$schema", "__typename", "@odata.context"], JsonCompressionOptions.Default.BoilerplateKeys);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { TargetTokens = -1 }.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { LongStringRate = 0 }.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { LongStringRate = 1.5 }.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { LongStringRate = double.NaN }.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { LongStringTokens = 0 }.Validate);
        Assert.Throws<ArgumentOutOfRangeException>(new JsonCompressionOptions { MaxArrayItems = 0 }.Validate);
        Assert.Throws<ArgumentException>(new JsonCompressionOptions { ProtectedValues = [""] }.Validate);
        Assert.Throws<ArgumentException>(new JsonCompressionOptions { RelevantTerms = [null!] }.Validate);
        Assert.Throws<ArgumentNullException>(new JsonCompressionOptions { BoilerplateKeys = null! }.Validate);
        Assert.Throws<ArgumentNullException>(() => new StructuredJsonCompressor(null!));
    }

    [Fact]
    public async Task Cancellation_IsObserved()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await s_compressor.CompressAsync(s_orders.Value, cancellationToken: cts.Token));
    }

    private static void AssertSameOrShortenedProse(JsonElement before, JsonElement after)
    {
        if (after.ValueKind == JsonValueKind.String && before.ValueKind == JsonValueKind.String && before.GetString() != after.GetString())
        {
            string original = before.GetString()!;
            Assert.Contains(' ', original);
            Assert.True(TiktokenTokenCounter.O200k.CountTokens(original) > 24, original);
            Assert.True(after.GetString()!.Length < original.Length);
            return;
        }

        if (after.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            Assert.Equal(before.ValueKind, after.ValueKind);
            return; // nested objects and arrays are checked on their own
        }

        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    private static IEnumerable<JsonElement> Objects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            yield return element;
            foreach (JsonProperty property in element.EnumerateObject())
            {
                foreach (JsonElement inner in Objects(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                foreach (JsonElement inner in Objects(item))
                {
                    yield return inner;
                }
            }
        }
    }

    [Fact]
    public async Task KeepBestMatchesWhole_KeepsTheRecordNamingMostProtectedValues_WithEveryField()
    {
        // Every record names the latest call's e-mail; only the target also has the requested date.
        string input = JsonSerializer.Serialize(new
        {
            data = Enumerable.Range(0, 12).Select(i => new
            {
                expense_id = $"EXP-{i:D3}",
                date = i == 7 ? "2024-02-01" : $"2024-03-{i + 10}",
                shares = new object[]
                {
                    new { email = "me@example.com", owed_share = 10 + i, paid_share = 99 },
                    new { email = "ann@example.com", owed_share = 20 + i, paid_share = 0 },
                    new { email = $"bob{i}@example.com", owed_share = 30 + i, paid_share = 0 },
                    new { email = $"cy{i}@example.com", owed_share = 40 + i, paid_share = 0 },
                },
            }),
        });
        var options = new JsonCompressionOptions { ProtectedValues = ["2024-02-01", "ann@example.com"], KeepBestMatchesWhole = true };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);

        using JsonDocument doc = JsonDocument.Parse(result.Json);
        JsonElement target = doc.RootElement.GetProperty("data").EnumerateArray().Single(e => e.ValueKind == JsonValueKind.Object && e.GetProperty("expense_id").GetString() == "EXP-007");
        Assert.Equal(4, target.GetProperty("shares").GetArrayLength());
        Assert.Contains("\"owed_share\":47", result.Json, StringComparison.Ordinal);
        Assert.Contains("\"cy7@example.com\"", result.Json, StringComparison.Ordinal);

        // Its look-alikes are still reduced (trimmed shares, essential fields only), and without the option so is the target.
        Assert.DoesNotContain("cy3@example.com", result.Json, StringComparison.Ordinal);
        JsonCompressionResult plain = await s_compressor.CompressAtLevelAsync(input, 3, options with { KeepBestMatchesWhole = false }, Ct);
        Assert.DoesNotContain("\"owed_share\":47", plain.Json, StringComparison.Ordinal);
        JsonCompressionResult level0 = await s_compressor.CompressAtLevelAsync(input, 0, options, Ct);
        Assert.True(result.TokensAfter < level0.TokensAfter * 3 / 4, result.Json);
    }

    [Fact]
    public async Task KeepBestMatchesWhole_KeepsAtMostTheConfiguredNumberOfTies()
    {
        string input = JsonSerializer.Serialize(Enumerable.Range(0, 10).Select(i => new { id = i, tag = "shared-value", blob = new[] { 1, 2, 3, 4, 5, 6 } }));
        var options = new JsonCompressionOptions { ProtectedValues = ["shared-value"], KeepBestMatchesWhole = true, MaxWholeMatches = 2 };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);

        // The first two ties keep their whole blob; the others are protected elements reduced to essential fields.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(result.Json, "\\[1,2,3,4,5,6\\]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonCompressionOptions { MaxWholeMatches = 0 }.Validate());
    }

    [Fact]
    public async Task KeepRelevantText_Level3_KeepsTheLineThatMattersFromALongStatement()
    {
        var lines = new List<string> { "CITY POWER - STATEMENT FOR MARCH 2024", "Account number: 5274374006" };
        for (int i = 0; i < 120; i++)
        {
            if (i == 61)
            {
                lines.Add("TOTAL AMOUNT DUE: 293.63 (pay by 2024-04-15 via Venmo to payments.city-power@billing-57.com)");
            }

            lines.Add($"2024-03-{(i % 28) + 1:D2}  Usage charge for the meter  ref A{i:D5}  {i + 1}.25");
            if (i % 9 == 0)
            {
                lines.Add("Our team describes the recommended maintenance schedule for the next few weeks as noted.");
            }
        }

        string input = JsonSerializer.Serialize(new { path = "~/bills/city-power-2024-03.txt", content = string.Join('\n', lines) });
        var options = new JsonCompressionOptions { RelevantTerms = ["pay", "venmo", "bill"], KeepRelevantText = true };
        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);

        using JsonDocument doc = JsonDocument.Parse(result.Json);
        string content = doc.RootElement.GetProperty("content").GetString()!;
        Assert.StartsWith("CITY POWER - STATEMENT FOR MARCH 2024\n", content, StringComparison.Ordinal);
        Assert.Contains("TOTAL AMOUNT DUE: 293.63 (pay by 2024-04-15 via Venmo to payments.city-power@billing-57.com)", content, StringComparison.Ordinal);
        Assert.EndsWith("more lines omitted", content, StringComparison.Ordinal);
        Assert.True(result.TokensAfter < 150, result.Json);

        // The plain level 3 cuts to the lead and loses it.
        JsonCompressionResult plain = await s_compressor.CompressAtLevelAsync(input, 3, options with { KeepRelevantText = false }, Ct);
        Assert.DoesNotContain("293.63", plain.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShortenProtectedStrings_ShortensAStringNamingAProtectedValue_ButKeepsTheValue()
    {
        var lines = new List<string> { "Statement" };
        for (int i = 0; i < 60; i++)
        {
            lines.Add($"2024-03-{(i % 28) + 1:D2} the meter was read and the usage was recorded as expected ref R{i:D4}");
        }

        string input = JsonSerializer.Serialize(new { content = string.Join('\n', lines) });
        var options = new JsonCompressionOptions { ProtectedValues = ["R0042"], KeepRelevantText = true };

        JsonCompressionResult untouched = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);
        Assert.Equal(0, untouched.StringsCompressed);

        foreach (int level in new[] { 1, 2, 3 })
        {
            JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, level, options with { ShortenProtectedStrings = true }, Ct);
            Assert.Equal(1, result.StringsCompressed);
            Assert.Contains("R0042", result.Json, StringComparison.Ordinal);
            Assert.True(result.TokensAfter < untouched.TokensAfter, $"level {level}");
        }
    }

    [Fact]
    public async Task ASession_GivesWhatFreshCallsGive_AtEveryTarget_AndForgetsWhenTheValuesChange()
    {
        string input = s_orders.Value;
        int before = TiktokenTokenCounter.O200k.CountTokens(input);
        var options = new JsonCompressionOptions { ProtectedValues = [JsonSamples.OrderId(42)], RelevantTerms = ["refund"], KeepBestMatchesWhole = true, KeepRelevantText = true };
        using var session = new JsonCompressionSession(input, s_prose.TokenCounter);
        foreach (double share in new[] { 0.6, 0.3, 0.6, 0.1, 0.45 })
        {
            JsonCompressionOptions atTarget = options with { TargetTokens = (int)(before * share), MaxArrayItems = share >= 0.5 ? 32 : 8 };
            JsonCompressionResult fresh = await s_compressor.CompressAsync(input, atTarget, Ct);
            JsonCompressionResult reused = await s_compressor.CompressAsync(session, atTarget, Ct);
            Assert.Equal(fresh.Json, reused.Json);
            Assert.Equal(fresh.Level, reused.Level);
            Assert.Equal(fresh.FitsTarget, reused.FitsTarget);
        }

        // Other protected values: nothing computed for the first ones is reused.
        JsonCompressionOptions other = options with { ProtectedValues = [JsonSamples.OrderId(7)], TargetTokens = before / 4 };
        Assert.Equal((await s_compressor.CompressAsync(input, other, Ct)).Json, (await s_compressor.CompressAsync(session, other, Ct)).Json);
    }

    [Fact]
    public async Task KeepRelevantText_Level3_KeepsTheSentencesThatCarryValues()
    {
        string body = "Hi Ann, we need to reschedule: your eye exam is now on 2024-08-17 at 12:30 instead. The confirmation code CNF-29N6WX stays the same. "
            + "The sender tracks the monthly account summary once the payment clears. Each shipment combines a reinforced outer layer according to the latest policy. "
            + "Our team describes several customer suggestions for the next few weeks.";
        string input = JsonSerializer.Serialize(new { thread_id = "THR-1", messages = new[] { new { email_id = 1, body } } });
        var options = new JsonCompressionOptions { KeepRelevantText = true, RelevantTerms = ["confirmation", "code"] };

        JsonCompressionResult result = await s_compressor.CompressAtLevelAsync(input, 3, options, Ct);

        using JsonDocument doc = JsonDocument.Parse(result.Json);
        string kept = doc.RootElement.GetProperty("messages")[0].GetProperty("body").GetString()!;
        Assert.Equal("Hi Ann, we need to reschedule: your eye exam is now on 2024-08-17 at 12:30 instead. The confirmation code CNF-29N6WX stays the same. …", kept);

        // The plain level 3 drops the non-essential body of a record inside an array.
        JsonCompressionResult plain = await s_compressor.CompressAtLevelAsync(input, 3, options with { KeepRelevantText = false }, Ct);
        Assert.DoesNotContain("CNF-29N6WX", plain.Json, StringComparison.Ordinal);
    }

    private static int MarkerTotal(JsonElement element)
    {
        int total = 0;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
            {
                total += MarkerTotal(property.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                total += item.ValueKind == JsonValueKind.String && StructuredJsonCompressor.TryParseOmittedItemsMarker(item.GetString(), out int count)
                    ? count
                    : MarkerTotal(item);
            }
        }

        return total;
    }
}
