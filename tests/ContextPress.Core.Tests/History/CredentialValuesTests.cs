using ContextPress.Context;
using ContextPress.History;

namespace ContextPress.Tests.History;

public class CredentialValuesTests
{
    [Theory]
    [InlineData("password", true)]
    [InlineData("user_password", true)]
    [InlineData("accessToken", true)]
    [InlineData("next_page_token", true)]
    [InlineData("X-API-Key", true)]
    [InlineData("client_secret", true)]
    [InlineData("token_type", false)]
    [InlineData("max_tokens", false)]
    [InlineData("keyboard", false)]
    [InlineData("name", false)]
    public void CredentialNames_AreRecognised(string name, bool expected) =>
        Assert.Equal(expected, CredentialValues.IsCredentialName(name));

    [Theory]
    [InlineData("""{"accounts":[{"app":"mail","password":"k9#Lmq2"},{"app":"notes","password":"zz-81Qe"}],"token_type":"bearer","access_token":"tok_5521","count":2}""")]
    [InlineData("""[{"api_key":{"value":"nested-1"}},{"secret":["in-array"]},{"user_password":"pw-xyz1","password":"pw-xyz1"},{"passcode":12345}]""")]
    [InlineData("""{"name":"Ann","amount":12.5,"keyboard":"qwerty"}""")]
    [InlineData("""{"client_secret":"a b c","password":"ab","token":"fine-token"}""")]
    public void ParsedDocument_GivesWhatTheTextGives(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(CredentialValues.Extract(json), CredentialValues.Extract(json, document.RootElement));
    }

    [Fact]
    public void JsonFieldsAndProsePairs_GiveTheirValues_AndNothingElse()
    {
        string json = """{"accounts":[{"app":"mail","password":"k9#Lmq2"},{"app":"notes","password":"zz-81Qe"}],"token_type":"bearer","access_token":"tok_5521","count":2}""";
        Assert.Equal(["k9#Lmq2", "zz-81Qe", "tok_5521"], CredentialValues.Extract(json));
        Assert.Equal(["Swordfish-7"], CredentialValues.Extract("Your new password is Swordfish-7. Keep it safe."));
        Assert.Empty(CredentialValues.Extract("""{"name":"Ann","amount":12.5}"""));
        Assert.Empty(CredentialValues.Extract("Nothing secret here."));
    }

    [Fact]
    public async Task APasswordNoStepNames_SurvivesCompression_WhileTheRestShrinks()
    {
        // The password list comes early; later results are large; the next login is not in the plan or request yet.
        List<ContextItem> items = ContextCompressorTests.AgentHistory(seed: 21);
        string[] apps = ["mail", "music", "notes", "files", "todo", "calendar", "contacts", "payments"];
        string accounts = string.Join(',', apps.Select((app, i) =>
            $$"""{"account_name":"{{app}}","password":"{{app}}-quiet-otter","note":"Rotated every ninety days by the supervisor; do not share this password outside the household account."}"""));
        string passwords = $$"""{"request_id":"r-1","accounts":[{{accounts}}],"notice":"Passwords are shown once per session and expire when the session ends."}""";
        items.Insert(2, ContextItem.ToolCallRequest([new ToolCall("pw", "show_account_passwords", "{}")]));
        items.Insert(3, ContextItem.ToolResult("pw", "show_account_passwords", passwords));

        ContextCompressionResult result = await ContextCompressor.CreateDefault().CompressAsync(items, new ContextCompressionOptions { TargetRatio = 0.25 }, TestContext.Current.CancellationToken);

        string all = string.Join('\n', result.Items.Select(i => i.Text));
        Assert.All(apps, app => Assert.Contains($"{app}-quiet-otter", all, StringComparison.Ordinal));
        Assert.True(result.TokensAfter <= result.BudgetTokens);
    }
}
