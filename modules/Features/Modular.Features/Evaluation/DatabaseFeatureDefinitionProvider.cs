using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.FeatureManagement;

namespace Modular.Features.Evaluation;

/// <summary>
/// Flag definitions for Microsoft.FeatureManagement: the database's (cached), then the code-owned
/// defaults declared in configuration (<c>feature_management</c>), which a database flag of the same
/// name overrides.
/// </summary>
internal sealed class DatabaseFeatureDefinitionProvider(FlagCatalogCache catalogs, IConfiguration configuration)
    : IFeatureDefinitionProvider, IDisposable
{
    private readonly ConfigurationFeatureDefinitionProvider _appSettings = new(configuration);

    public async Task<FeatureDefinition> GetFeatureDefinitionAsync(string featureName)
    {
        var catalog = await catalogs.GetAsync(CancellationToken.None);
        return catalog.Find(featureName)?.Definition ?? await _appSettings.GetFeatureDefinitionAsync(featureName);
    }

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        var catalog = await catalogs.GetAsync(CancellationToken.None);
        foreach (var flag in catalog.Flags)
        {
            yield return flag.Definition;
        }

        await foreach (var definition in _appSettings.GetAllFeatureDefinitionsAsync())
        {
            if (catalog.Find(definition.Name) is null)
            {
                yield return definition;
            }
        }
    }

    public void Dispose() => _appSettings.Dispose();
}
