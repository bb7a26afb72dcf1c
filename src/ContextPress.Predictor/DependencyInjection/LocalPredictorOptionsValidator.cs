using Microsoft.Extensions.Options;

namespace ContextPress.Predictor.DependencyInjection;

/// <summary>Validates <see cref="LocalPredictorOptions"/>, naming the setting that is wrong.</summary>
internal sealed class LocalPredictorOptionsValidator : IValidateOptions<LocalPredictorOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalPredictorOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"LocalPredictorOptions: {ex.Message}");
        }
    }
}
