using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ContextPress.ChatCompletion;
using ContextPress.Context;
using ContextPress.Diagnostics;
using ContextPress.History;
using ContextPress.Tests.History;
using ContextPress.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace ContextPress.Tests.ChatCompletion;

public class TelemetryTests
{
    [Fact]
    public async Task ACompressedRequest_ReportsTokensActionsAndAnActivity_UnderTheContextPressName()
    {
        ConcurrentBag<(string Instrument, long Value, string? Tag)> measurements = [];
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ContextPressTelemetry.SourceName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (KeyValuePair<string, object?> t in tags)
            {
                tag = $"{t.Key}={t.Value}";
            }

            measurements.Add((instrument.Name, value, tag));
        });
        meterListener.Start();

        ConcurrentBag<Activity> activities = [];
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ContextPressTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(activityListener);

        var inner = new RecordingChatClient();
        using IChatClient client = inner.AsBuilder()
            .UseContextCompression(ContextCompressor.CreateDefault(), c => c.Options = new ChatHistoryCompressionOptions { TriggerTokens = 500 })
            .Build();
        await client.GetResponseAsync(ChatMessageAdapter.ToChatMessages(ContextCompressorTests.AgentHistory(seed: 11)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(measurements, m => m.Instrument == "contextpress.compression.input_tokens" && m.Tag == "contextpress.compressor=history" && m.Value > 0);
        Assert.Contains(measurements, m => m.Instrument == "contextpress.compression.output_tokens" && m.Tag == "contextpress.compressor=history" && m.Value > 0);
        Assert.Contains(measurements, m => m.Instrument == "contextpress.compression.actions" && m.Tag == "contextpress.action=Keep");
        Assert.Contains(measurements, m => m.Instrument == "contextpress.compression.actions" && m.Tag is "contextpress.action=Compress" or "contextpress.action=Stub" or "contextpress.action=Drop");
        Assert.Contains(activities, a => a.OperationName == "contextpress.compress_history" && a.GetTagItem("contextpress.tokens.output") is int);
    }
}
