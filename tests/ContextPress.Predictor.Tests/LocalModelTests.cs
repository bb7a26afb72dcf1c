using ContextPress.Predictor.Tokenization;

namespace ContextPress.Predictor.Tests;

/// <summary><see cref="LocalModel.Load"/>: checkpoint kinds, tokenizers found beside them or given, clear errors.</summary>
public sealed class LocalModelTests
{
    [Fact]
    public void LoadsALlama2cCheckpointWithTheVocabularyBesideIt()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var loaded = LocalModel.Load(Path.Combine(dir, "stories260K.bin"));
        using var _ = loaded.Model;
        Assert.Equal("stories260K", loaded.Name);
        Assert.IsType<Llama2cPromptTokenizer>(loaded.Tokenizer);
        Assert.Equal(512, loaded.Model.Config.VocabSize);
    }

    [Fact]
    public void AHuggingFaceDirectoryWithoutTokenizerFilesFailsNamingThem()
    {
        var dir = SharedModels.Find("tiny-random-llama-2-hf");
        Assert.SkipWhen(dir is null, "shared/models/tiny-random-llama-2-hf is absent");
        var e = Assert.Throws<FileNotFoundException>(() => LocalModel.Load(dir));
        Assert.Contains("tokenizer.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer.model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGivenTokenizerFileIsUsed()
    {
        var dir = SharedModels.Find("stories260K");
        Assert.SkipWhen(dir is null, "shared/models/stories260K is absent");
        var copy = Directory.CreateTempSubdirectory("cp-model-").FullName;
        try
        {
            // The checkpoint alone: no vocabulary beside it, so it must be given.
            File.Copy(Path.Combine(dir, "stories260K.bin"), Path.Combine(copy, "model.bin"));
            var missing = Assert.Throws<FileNotFoundException>(() => LocalModel.Load(Path.Combine(copy, "model.bin")));
            Assert.Contains("tok512.bin", missing.Message, StringComparison.Ordinal);
            var loaded = LocalModel.Load(Path.Combine(copy, "model.bin"), Path.Combine(dir, "tok512.bin"));
            using var _ = loaded.Model;
            Assert.Equal([1, .. loaded.Tokenizer.Encode("Lily", addBos: false)], loaded.Tokenizer.Encode("Lily", addBos: true));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void AMissingPathSaysWhatWasExpected()
    {
        var e = Assert.Throws<FileNotFoundException>(() => LocalModel.Load(Path.Combine(Path.GetTempPath(), $"cp-none-{Guid.NewGuid():N}")));
        Assert.Contains("does not exist (expected a checkpoint directory with config.json or a llama2.c .bin file)", e.Message, StringComparison.Ordinal);
    }
}
