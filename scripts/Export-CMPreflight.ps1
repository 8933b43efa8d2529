<#
.SYNOPSIS
    Exports the Configuration Manager site data that cmg-preflight needs to check
    "deploy an OS over a cloud management gateway (CMG) using boot media".

.DESCRIPTION
    Export-CMPreflight reads the site through the ConfigurationManager PowerShell module
    (and, for per-distribution-point content status, through the SMS Provider's WMI/CIM
    namespace). It writes one JSON file per object family into -OutputFolder:

        site.json                        Get-CMSite
        site-component-manager.json      Get-CMSiteComponent SMS_SITE_COMPONENT_MANAGER (IISSSLState)
        cmg.json                         Get-CMCloudManagementGateway (+ Get-CMCloudDistributionPoint)
        cmg-connection-points.json       Get-CMCloudManagementGatewayConnectionPoint -AllSite
        management-points.json           Get-CMManagementPoint -AllSite
        distribution-points.json         Get-CMDistributionPointInfo
        task-sequences.json              Get-CMTaskSequence (lazy properties loaded)
        task-sequence-steps.json         Get-CMTaskSequenceStep (only with -IncludeSteps)
        deployments.json                 Get-CMTaskSequenceDeployment
        content-status.json              SMS_PackageStatusDistPointsSummarizer (CIM)
        client-settings.json             Get-CMClientSetting (+ the Cloud Services settings)
        client-setting-deployments.json  Get-CMClientSettingDeployment
        boot-images.json                 Get-CMBootImage
        certificates.json                Get-CMCertificate -CertificateType BootMedia
        boundary-groups.json             Get-CMBoundaryGroup
        boundary-group-site-systems.json Get-CMBoundaryGroupSiteSystem
        manifest.json                    what was exported, when, by which PowerShell

    Every data file is a JSON array, even for zero or one object. Files are UTF-8 without
    a byte order mark. Each family is exported on its own: when a cmdlet fails, the script
    writes a warning that names the cmdlet and writes NO file for that family, so the linter
    reports the family as missing instead of treating it as empty.

    The script only reads. It changes nothing on the site.

.PARAMETER OutputFolder
    Folder that receives the JSON files. Created if missing. A relative path is resolved
    against the current file-system location. Files with the names above that are left
    over from an earlier run are deleted first, so the folder never mixes two runs.

.PARAMETER SiteCode
    Three-character site code of the primary site. Default: the name of the CMSite drive that
    the ConfigurationManager module created (Get-PSDrive -PSProvider CMSite).

.PARAMETER TaskSequenceId
    Package ID(s) of the task sequence(s) deployed to the boot media, for example PS100123.
    Give -TaskSequenceId, -TaskSequenceName or both.

.PARAMETER TaskSequenceName
    Name(s) of the task sequence(s) to export. Resolved with Get-CMTaskSequence -Name.
    Give -TaskSequenceId, -TaskSequenceName or both.

.PARAMETER ProviderMachineName
    SMS Provider server. Used to create the CMSite drive when it does not exist yet, and
    for the CIM queries. Default: the Root of the existing CMSite drive, or this computer
    when a new drive has to be created.

.PARAMETER Depth
    -Depth passed to ConvertTo-Json (5 to 100, default 10). ConvertTo-Json defaults to 2 and
    Windows PowerShell 5.1 then silently turns nested objects (management point Props, task
    sequence References, the Cloud Services settings) into strings, which the linter would
    read as incomplete data.

.PARAMETER IncludeSteps
    Also export Get-CMTaskSequenceStep for each task sequence (task-sequence-steps.json).
    The linter can read the same facts from the task sequence XML; the step export is a
    second, easier-to-read source. Properties with secret-like names (see NOTES) are dropped.

.EXAMPLE
    .\Export-CMPreflight.ps1 -OutputFolder C:\Temp\cmg-export -TaskSequenceId PS100123

    Exports everything for task sequence PS100123, using the site of the existing CMSite drive.

.EXAMPLE
    .\Export-CMPreflight.ps1 -OutputFolder .\export -SiteCode PS1 -ProviderMachineName cm01.contoso.com -TaskSequenceName 'Win11 23H2 - CMG media' -IncludeSteps -Verbose

    Connects to site PS1 through the provider on cm01.contoso.com (creating the PS1: drive if
    needed), resolves the task sequence by name, and also exports its steps.

.EXAMPLE
    .\Export-CMPreflight.ps1 -OutputFolder D:\cmg -TaskSequenceId PS100123, PS100124 -Depth 20

    Exports two task sequences with a deeper JSON depth.

.NOTES
    Secrets: the script never writes passwords, certificate blobs or keys. Every family is
    projected with an explicit property list (no PXEPassword, no Certificate, PublicKey or
    certificate Thumbprint, no management or service certificate of the CMG). Embedded site
    properties, client-setting keys and task sequence step properties whose name contains
    "Password", "ProductKey", "Secret", "PrivateKey", "PublicKey" or "Certificate" are
    dropped, and in the task sequence XML the values of hidden or password variables are
    blanked.

    What the linter needs: the site version/build, the site communication security
    (IISSSLState), the CMG(s) and their state, the CMG connection point, the management points
    (SslState, AllowProxyTraffic, MPInternetFacing, MPIntranetFacing), the task sequence with
    its lazy properties (References, BootImageID, Sequence, DependentProgram), its deployments
    (AdvertFlags, RemoteClientFlags), per-distribution-point content status of everything the
    task sequence references, the Cloud Services client settings (AllowCloudDP, AllowCMG) and
    where they are deployed, the boot image, the boot media certificate(s) and boundary groups.
    Boot media settings themselves (media mode, password, chosen management point) are not
    stored by the site and are not exported.

    Added properties: each object in client-settings.json carries "Cloud" (the dictionary of
    Get-CMClientSetting -Setting Cloud, e.g. AllowCloudDP, AllowCMG, AutoAADJoin; null when the
    setting does not configure Cloud Services) and "CloudQueryError" (null, or the error text
    when that lookup failed, so a null Cloud can be told apart from an unreadable one). Each
    step in task-sequence-steps.json carries "TaskSequenceId". Objects read through CIM carry
    "__CLASS". manifest.json lists the files written; TaskSequenceIds holds the resolved
    package IDs (the IDs as given if the task sequences could not be exported).

    Requirements: the Configuration Manager console (ConfigurationManager module) on this
    machine, read access to the site, Windows PowerShell 5.1 or PowerShell 7 (the module
    supports PowerShell 7 from version 2010 on). Writes UTF-8 without BOM on both.

    Script version 1.0.0.
#>
#Requires -Version 5.1
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string]$OutputFolder,

    [Parameter()]
    [string]$SiteCode,

    [Parameter()]
    [ValidateNotNullOrEmpty()]
    [string[]]$TaskSequenceId,

    [Parameter()]
    [ValidateNotNullOrEmpty()]
    [string[]]$TaskSequenceName,

    [Parameter()]
    [string]$ProviderMachineName,

    [Parameter()]
    [ValidateRange(5, 100)]
    [int]$Depth = 10,

    [Parameter()]
    [switch]$IncludeSteps
)

Set-StrictMode -Version 2
$ErrorActionPreference = 'Stop'

$ScriptVersion = '1.0.0'

# Property names that are never exported, wherever they occur (embedded Props, dictionary keys,
# task sequence step properties).
$SecretNamePattern = 'Password|ProductKey|Secret|PrivateKey|PublicKey|Certificate'

# Written with an explicit encoding: Windows PowerShell 5.1 would otherwise write UTF-16LE (>)
# or UTF-8 with BOM (-Encoding UTF8).
$Utf8NoBom = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false

$JsonDepth = $Depth
$ManifestFiles = New-Object -TypeName System.Collections.Generic.List[object]
$FailedFamilies = New-Object -TypeName System.Collections.Generic.List[string]

$AllFileNames = @(
    'site.json',
    'site-component-manager.json',
    'cmg.json',
    'cmg-connection-points.json',
    'management-points.json',
    'distribution-points.json',
    'task-sequences.json',
    'task-sequence-steps.json',
    'deployments.json',
    'content-status.json',
    'client-settings.json',
    'client-setting-deployments.json',
    'boot-images.json',
    'certificates.json',
    'boundary-groups.json',
    'boundary-group-site-systems.json',
    'manifest.json'
)

$CmgProperties = @(
    'SmsProviderObjectPath', 'AzureServiceID', 'Name', 'ServiceCName', 'Fqdn', 'ServiceType',
    'SiteCode', 'Region', 'NumberOfInstances', 'State', 'StatusDetails', 'DeploymentSlot',
    'ServiceThumbprint'
)

#region Helpers --------------------------------------------------------------------------------

function Get-PropertyValue {
    # Strict-mode-safe read of one scalar property (returns $null when the property is absent).
    param(
        [object]$InputObject,
        [string]$Name
    )
    if ($null -eq $InputObject) { return $null }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return $property.Value
}

function Test-IsResultObject {
    # ConfigMgr IResultObject instances (top-level or embedded) expose SmsProviderObjectPath.
    # They must be treated as objects, never enumerated as collections.
    param([object]$Value)
    if ($null -eq $Value) { return $false }
    if ($Value -is [string] -or $Value -is [System.ValueType]) { return $false }
    return ($null -ne $Value.PSObject.Properties['SmsProviderObjectPath'])
}

function ConvertTo-PlainValue {
    # Turns embedded IResultObjects, dictionaries and collections into plain PSCustomObjects and
    # object[] so that ConvertTo-Json writes the same shape on 5.1 and 7 (how ConvertTo-Json treats
    # the IResultObject wrapper itself is undocumented). Arrays are returned with the unary comma
    # so that the caller receives the array and not its elements.
    param(
        [object]$Value,
        [int]$MaxDepth
    )
    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) { return $Value }
    if ($Value -is [System.Guid]) { return $Value.ToString() }
    if ($Value -is [System.ValueType]) { return $Value }
    if ($Value -is [byte[]]) { return '[binary data omitted]' }
    if ($MaxDepth -le 0) { return [string]$Value }

    if ($Value -is [System.Collections.IDictionary]) {
        $table = [ordered]@{}
        foreach ($key in @($Value.Keys)) {
            $keyName = [string]$key
            if ($keyName -match $script:SecretNamePattern) { continue }
            $table[$keyName] = ConvertTo-PlainValue -Value $Value[$key] -MaxDepth ($MaxDepth - 1)
        }
        return (New-Object -TypeName PSObject -Property $table)
    }

    if ((Test-IsResultObject -Value $Value) -or ($Value -is [System.Management.Automation.PSCustomObject])) {
        $table = [ordered]@{}
        foreach ($property in @($Value.PSObject.Properties)) {
            if ($property.Name -match $script:SecretNamePattern) { continue }
            $propertyValue = $null
            try { $propertyValue = $property.Value } catch { $propertyValue = $null }
            $table[$property.Name] = ConvertTo-PlainValue -Value $propertyValue -MaxDepth ($MaxDepth - 1)
        }
        return (New-Object -TypeName PSObject -Property $table)
    }

    if ($Value -is [System.Collections.IEnumerable]) {
        $list = New-Object -TypeName System.Collections.Generic.List[object]
        foreach ($element in $Value) {
            $list.Add((ConvertTo-PlainValue -Value $element -MaxDepth ($MaxDepth - 1)))
        }
        $array = $list.ToArray()
        return , $array
    }

    # Any other .NET object: its string form is all we can use safely.
    return [string]$Value
}

function Set-EmbeddedArray {
    # Replaces an embedded-object array property (Props, PropLists, References) on a Select-Object
    # result with plain objects that carry only the given properties. A $null value (lazy property
    # not loaded) stays $null so the linter can tell "not loaded" from "empty".
    param(
        [Parameter(Mandatory = $true)]
        [object]$Target,

        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter(Mandatory = $true)]
        [string[]]$Property,

        [string]$NameProperty
    )
    $targetProperty = $Target.PSObject.Properties[$Name]
    if ($null -eq $targetProperty -or $null -eq $targetProperty.Value) { return }

    $raw = $targetProperty.Value
    if (Test-IsResultObject -Value $raw) {
        $elements = @(, $raw)
    }
    else {
        $elements = @($raw)
    }

    $list = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($element in $elements) {
        if ($null -eq $element) { continue }
        if ($NameProperty) {
            $elementName = Get-PropertyValue -InputObject $element -Name $NameProperty
            if ($null -ne $elementName -and ([string]$elementName) -match $script:SecretNamePattern) { continue }
        }
        $table = [ordered]@{}
        foreach ($propertyName in $Property) {
            $elementProperty = $element.PSObject.Properties[$propertyName]
            if ($null -eq $elementProperty) {
                $table[$propertyName] = $null
            }
            else {
                $table[$propertyName] = ConvertTo-PlainValue -Value $elementProperty.Value -MaxDepth 3
            }
        }
        $list.Add((New-Object -TypeName PSObject -Property $table))
    }
    $targetProperty.Value = $list.ToArray()
}

function Add-NoteProperty {
    # Adds (or replaces) a note property, also when the value is $null.
    param(
        [Parameter(Mandatory = $true)]
        [object]$Target,

        [Parameter(Mandatory = $true)]
        [string]$Name,

        [object]$Value
    )
    if ($null -ne $Target.PSObject.Properties[$Name]) {
        $Target.PSObject.Properties.Remove($Name)
    }
    $Target.PSObject.Properties.Add([System.Management.Automation.PSNoteProperty]::new($Name, $Value))
}

function Select-AzureService {
    # SMS_AzureService projection. ClientCertRevocationEnabled is not in the SDK and only exists on
    # newer sites, so it is added only when the object has it.
    param([object]$InputObject)
    $properties = $script:CmgProperties
    if ($null -ne $InputObject.PSObject.Properties['ClientCertRevocationEnabled']) {
        $properties = $properties + 'ClientCertRevocationEnabled'
    }
    return (Select-Object -InputObject $InputObject -Property $properties)
}

function Remove-SequenceSecret {
    # Blanks the values of hidden or password variables in the task sequence XML. The linter reads
    # join type, workgroup and client install properties from this XML, never these values.
    param([string]$Sequence)
    $pattern = '(?is)<variable\b((?:[^>/]|/(?!>))*)>((?:(?!<variable\b).)*?)</variable>'
    $evaluator = [System.Text.RegularExpressions.MatchEvaluator] {
        param($match)
        $attributes = $match.Groups[1].Value
        if ($attributes -match '\bhidden\s*=\s*["'']true["'']' -or
            $attributes -match '\b(name|property)\s*=\s*["''][^"'']*(Password|ProductKey)[^"'']*["'']') {
            return ('<variable' + $attributes + '></variable>')
        }
        return $match.Value
    }
    return [System.Text.RegularExpressions.Regex]::Replace($Sequence, $pattern, $evaluator)
}

function ConvertTo-CloudSettingObject {
    # Get-CMClientSetting -Setting Cloud returns a Dictionary<string,object>. [pscustomobject]$dict
    # does not convert a generic Dictionary on 5.1, so copy it key by key into an ordered table.
    # Returns $null when the setting does not configure Cloud Services (the cmdlet returns nothing).
    param([object[]]$InputObject)
    $table = [ordered]@{}
    $found = $false
    foreach ($result in $InputObject) {
        if ($null -eq $result) { continue }
        if ($result -is [System.Collections.IDictionary]) {
            foreach ($key in @($result.Keys)) {
                $keyName = [string]$key
                if ($keyName -match $script:SecretNamePattern) { continue }
                $table[$keyName] = ConvertTo-PlainValue -Value $result[$key] -MaxDepth 3
            }
            $found = $true
        }
        elseif (-not (Test-IsResultObject -Value $result) -and
                $null -ne $result.PSObject.Properties['Key'] -and
                $null -ne $result.PSObject.Properties['Value']) {
            # Defensive: the dictionary arrived enumerated as key/value pairs.
            $keyName = [string]$result.Key
            if ($keyName -notmatch $script:SecretNamePattern) {
                $table[$keyName] = ConvertTo-PlainValue -Value $result.Value -MaxDepth 3
            }
            $found = $true
        }
        else {
            # Defensive: an agent-configuration object instead of a dictionary; keep its properties.
            $converted = ConvertTo-PlainValue -Value $result -MaxDepth 3
            if ($converted -is [System.Management.Automation.PSCustomObject]) {
                foreach ($property in @($converted.PSObject.Properties)) {
                    $table[$property.Name] = $property.Value
                }
                $found = $true
            }
        }
    }
    # An empty dictionary means the same as no result: Cloud Services not configured here.
    if (-not $found -or $table.Count -eq 0) { return $null }
    return (New-Object -TypeName PSObject -Property $table)
}

function Get-NameSplat {
    # -Name splat; wildcard characters in a real object name must not act as wildcards.
    param([string]$Name)
    $splat = @{ Name = $Name }
    if ($Name -match '[\*\?\[\]]') {
        $splat['DisableWildcardHandling'] = $true
    }
    return $splat
}

function ConvertTo-WqlString {
    # Escapes a value for a single-quoted WQL string literal.
    param([string]$Value)
    return $Value.Replace('\', '\\').Replace("'", "\'")
}

function New-ProviderCimSession {
    # WSMan first (what Get-CimInstance -ComputerName uses); DCOM when WinRM is not available.
    param(
        [Parameter(Mandatory = $true)]
        [string]$ComputerName
    )
    $session = $null
    try {
        $session = New-CimSession -ComputerName $ComputerName -ErrorAction Stop
        $null = Get-CimInstance -CimSession $session -Namespace 'root\SMS' -ClassName 'SMS_ProviderLocation' -ErrorAction Stop
        return $session
    }
    catch {
        Write-Verbose ("CIM over WSMan to {0} failed ({1}); retrying over DCOM." -f $ComputerName, $_.Exception.Message)
        if ($null -ne $session) {
            Remove-CimSession -CimSession $session -ErrorAction SilentlyContinue
        }
    }
    $option = New-CimSessionOption -Protocol Dcom
    return (New-CimSession -ComputerName $ComputerName -SessionOption $option -ErrorAction Stop)
}

function Write-ExportFile {
    # Writes one family as a JSON array. ConvertTo-Json gets the array through -InputObject (not the
    # pipeline) so one object still becomes [ {...} ]; zero objects are written as the literal [],
    # because ConvertTo-Json of an empty array is unreliable on 5.1.
    param(
        [Parameter(Mandatory = $true)]
        [string]$FileName,

        [Parameter(Mandatory = $true)]
        [string]$Cmdlet,

        [object]$Items
    )
    $array = @()
    if ($null -ne $Items) {
        $array = @($Items)
    }
    $count = $array.Count
    if ($count -eq 0) {
        $json = '[]'
    }
    else {
        $json = ConvertTo-Json -InputObject $array -Depth $script:JsonDepth
    }
    # Full file-system path: [System.IO.File] resolves relative paths against the process
    # directory, and the PowerShell location is the CMSite drive here.
    $path = [System.IO.Path]::Combine($script:OutputPath, $FileName)
    [System.IO.File]::WriteAllText($path, $json, $script:Utf8NoBom)

    $entry = New-Object -TypeName PSObject -Property ([ordered]@{
            Name   = $FileName
            Cmdlet = $Cmdlet
            Count  = $count
        })
    $script:ManifestFiles.Add($entry)
    Write-Host ('  {0,-34} {1,6} object(s)  [{2}]' -f $FileName, $count, $Cmdlet)
}

function Write-FamilyFailure {
    param(
        [Parameter(Mandatory = $true)]
        [string]$FileName,

        [Parameter(Mandatory = $true)]
        [string]$Cmdlet,

        [Parameter(Mandatory = $true)]
        [string]$Reason
    )
    Write-Warning ('{0}: {1} was NOT written, the linter will report this family as missing. Reason: {2}' -f $Cmdlet, $FileName, $Reason)
    $script:FailedFamilies.Add($FileName)
}

#endregion

#region Parameter checks, output folder, module, site drive ------------------------------------

$requestedIds = New-Object -TypeName System.Collections.Generic.List[string]
if ($null -ne $TaskSequenceId) {
    foreach ($value in $TaskSequenceId) {
        if (-not [string]::IsNullOrWhiteSpace($value)) { $requestedIds.Add($value.Trim()) }
    }
}
$requestedNames = New-Object -TypeName System.Collections.Generic.List[string]
if ($null -ne $TaskSequenceName) {
    foreach ($value in $TaskSequenceName) {
        if (-not [string]::IsNullOrWhiteSpace($value)) { $requestedNames.Add($value.Trim()) }
    }
}
if ($requestedIds.Count -eq 0 -and $requestedNames.Count -eq 0) {
    throw 'Specify the task sequence(s) to export with -TaskSequenceId and/or -TaskSequenceName.'
}

# Resolve the output folder now, while the location is still a file-system one; a relative path
# is taken relative to the file-system location even if the current drive is a CMSite drive.
$outputFolderValue = $OutputFolder
if ($outputFolderValue.StartsWith('~')) {
    $outputFolderValue = $HOME + $outputFolderValue.Substring(1)
}
if ([System.IO.Path]::IsPathRooted($outputFolderValue)) {
    $OutputPath = [System.IO.Path]::GetFullPath($outputFolderValue)
}
else {
    $fileSystemBase = (Get-Location -PSProvider FileSystem).ProviderPath
    $OutputPath = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($fileSystemBase, $outputFolderValue))
}
[void][System.IO.Directory]::CreateDirectory($OutputPath)

# Remove files of an earlier run: a family that fails now must be missing, not stale.
foreach ($fileName in $AllFileNames) {
    $stalePath = [System.IO.Path]::Combine($OutputPath, $fileName)
    if ([System.IO.File]::Exists($stalePath)) {
        Write-Verbose ('Removing {0} from an earlier run.' -f $stalePath)
        [System.IO.File]::Delete($stalePath)
    }
}

if ($null -eq (Get-Module -Name ConfigurationManager)) {
    if ([string]::IsNullOrEmpty($env:SMS_ADMIN_UI_PATH)) {
        throw 'The ConfigurationManager module is not loaded and SMS_ADMIN_UI_PATH is not set. Run this script on a machine with the Configuration Manager console installed.'
    }
    Write-Verbose 'Importing the ConfigurationManager module.'
    Import-Module (Join-Path $env:SMS_ADMIN_UI_PATH '..\ConfigurationManager.psd1')
}

$siteCodeValue = $SiteCode
if ([string]::IsNullOrWhiteSpace($siteCodeValue)) {
    $cmDrives = @(Get-PSDrive -PSProvider CMSite -ErrorAction SilentlyContinue)
    if ($cmDrives.Count -eq 0) {
        throw 'No CMSite drive exists. Pass -SiteCode (and -ProviderMachineName if the drive has to be created).'
    }
    if ($cmDrives.Count -gt 1) {
        Write-Warning ('Several CMSite drives exist; using {0}. Pass -SiteCode to choose another.' -f $cmDrives[0].Name)
    }
    $siteCodeValue = $cmDrives[0].Name
}
$siteCodeValue = $siteCodeValue.Trim().ToUpperInvariant()

$siteDrive = Get-PSDrive -Name $siteCodeValue -PSProvider CMSite -ErrorAction SilentlyContinue
if ($null -eq $siteDrive) {
    $driveRoot = $ProviderMachineName
    if ([string]::IsNullOrWhiteSpace($driveRoot)) {
        $driveRoot = $env:COMPUTERNAME
        Write-Warning ('No {0}: drive and no -ProviderMachineName; assuming the SMS Provider is this computer ({1}).' -f $siteCodeValue, $driveRoot)
    }
    Write-Verbose ('Creating the {0}: drive on provider {1}.' -f $siteCodeValue, $driveRoot)
    $siteDrive = New-PSDrive -Name $siteCodeValue -PSProvider CMSite -Root $driveRoot -Description 'Created by Export-CMPreflight'
}

$providerMachine = $ProviderMachineName
if ([string]::IsNullOrWhiteSpace($providerMachine)) {
    $providerMachine = [string]$siteDrive.Root
}

#endregion

Write-Host ('Export-CMPreflight {0}: site {1}, provider {2}, output {3}' -f $ScriptVersion, $siteCodeValue, $providerMachine, $OutputPath)

$pushed = $false
$cimSession = $null

# State shared by the families that depend on the exported task sequences.
$tsExportOk = $false
$tsItems = New-Object -TypeName System.Collections.Generic.List[object]
$resolvedTsIds = New-Object -TypeName System.Collections.Generic.List[string]

try {
    Push-Location -Path "$($siteCodeValue):"
    $pushed = $true

    # --- site.json ------------------------------------------------------------------------------
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'SiteCode', 'SiteName', 'Type', 'Version', 'BuildNumber',
            'ServerName', 'ReportingSiteCode', 'Status')
        foreach ($site in @(Get-CMSite)) {
            if ($null -eq $site) { continue }
            $items.Add((Select-Object -InputObject $site -Property $properties))
        }
        Write-ExportFile -FileName 'site.json' -Cmdlet 'Get-CMSite' -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'site.json' -Cmdlet 'Get-CMSite' -Reason $_.Exception.Message
    }

    # --- site-component-manager.json (communication security: Props[IISSSLState]) -------------------
    $cmdletName = 'Get-CMSiteComponent -ComponentName SMS_SITE_COMPONENT_MANAGER'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'ComponentName', 'SiteCode', 'ItemName', 'Props', 'PropLists')
        foreach ($component in @(Get-CMSiteComponent -ComponentName 'SMS_SITE_COMPONENT_MANAGER' -SiteCode $siteCodeValue)) {
            if ($null -eq $component) { continue }
            $selected = Select-Object -InputObject $component -Property $properties
            Set-EmbeddedArray -Target $selected -Name 'Props' -Property @('PropertyName', 'Value', 'Value1', 'Value2') -NameProperty 'PropertyName'
            Set-EmbeddedArray -Target $selected -Name 'PropLists' -Property @('PropertyListName', 'Values') -NameProperty 'PropertyListName'
            $items.Add($selected)
        }
        Write-ExportFile -FileName 'site-component-manager.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'site-component-manager.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- cmg.json (CMGs plus legacy cloud DPs, both SMS_AzureService) ------------------------------
    $cmdletName = 'Get-CMCloudManagementGateway'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $seenServices = @{}
        foreach ($service in @(Get-CMCloudManagementGateway)) {
            if ($null -eq $service) { continue }
            $serviceKey = [string](Get-PropertyValue -InputObject $service -Name 'AzureServiceID')
            if ($serviceKey -ne '') {
                if ($seenServices.ContainsKey($serviceKey)) { continue }
                $seenServices[$serviceKey] = $true
            }
            $items.Add((Select-AzureService -InputObject $service))
        }

        # Cloud DPs count as content sources on older sites. The cmdlet is gone or useless on newer
        # ones, so it is optional: a failure here only warns and keeps the CMG rows.
        $cloudDpCommand = Get-Command -Name 'Get-CMCloudDistributionPoint' -ErrorAction SilentlyContinue
        if ($null -ne $cloudDpCommand) {
            $cmdletName = 'Get-CMCloudManagementGateway + Get-CMCloudDistributionPoint'
            try {
                # PSREF documents a default parameter set with a mandatory -DistributionPointGroupName;
                # a call without arguments would then prompt (and hang an unattended run). In that
                # case ask for every name explicitly instead.
                $defaultSetNeedsInput = $false
                foreach ($parameterSet in @($cloudDpCommand.ParameterSets)) {
                    if (-not $parameterSet.IsDefault) { continue }
                    foreach ($parameter in @($parameterSet.Parameters)) {
                        if ($parameter.IsMandatory) { $defaultSetNeedsInput = $true }
                    }
                }
                if ($defaultSetNeedsInput) {
                    $cloudDps = @(Get-CMCloudDistributionPoint -Name '*' -ForceWildcardHandling)
                }
                else {
                    $cloudDps = @(Get-CMCloudDistributionPoint)
                }
                foreach ($service in $cloudDps) {
                    if ($null -eq $service) { continue }
                    # The cmdlet can also return SMS_SCI_SysResUse rows; keep SMS_AzureService only.
                    if ($null -eq $service.PSObject.Properties['AzureServiceID']) { continue }
                    $serviceKey = [string](Get-PropertyValue -InputObject $service -Name 'AzureServiceID')
                    if ($serviceKey -ne '') {
                        if ($seenServices.ContainsKey($serviceKey)) { continue }
                        $seenServices[$serviceKey] = $true
                    }
                    $items.Add((Select-AzureService -InputObject $service))
                }
            }
            catch {
                Write-Warning ('Get-CMCloudDistributionPoint failed; cmg.json lists CMGs only: {0}' -f $_.Exception.Message)
            }
        }
        Write-ExportFile -FileName 'cmg.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'cmg.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- cmg-connection-points.json ----------------------------------------------------------------
    $cmdletName = 'Get-CMCloudManagementGatewayConnectionPoint -AllSite'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'RoleName', 'NetworkOSPath', 'NALPath', 'SiteCode', 'SslState', 'Props')
        foreach ($role in @(Get-CMCloudManagementGatewayConnectionPoint -AllSite)) {
            if ($null -eq $role) { continue }
            $selected = Select-Object -InputObject $role -Property $properties
            Set-EmbeddedArray -Target $selected -Name 'Props' -Property @('PropertyName', 'Value', 'Value1', 'Value2') -NameProperty 'PropertyName'
            $items.Add($selected)
        }
        Write-ExportFile -FileName 'cmg-connection-points.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'cmg-connection-points.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- management-points.json (Props: AllowProxyTraffic, MPInternetFacing, MPIntranetFacing) -----
    $cmdletName = 'Get-CMManagementPoint -AllSite'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'RoleName', 'NetworkOSPath', 'NALPath', 'SiteCode', 'SslState', 'Props')
        foreach ($role in @(Get-CMManagementPoint -AllSite)) {
            if ($null -eq $role) { continue }
            $selected = Select-Object -InputObject $role -Property $properties
            Set-EmbeddedArray -Target $selected -Name 'Props' -Property @('PropertyName', 'Value', 'Value1', 'Value2') -NameProperty 'PropertyName'
            $items.Add($selected)
        }
        Write-ExportFile -FileName 'management-points.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'management-points.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- distribution-points.json (never PXEPassword) ---------------------------------------------
    $cmdletName = 'Get-CMDistributionPointInfo'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'NALPath', 'ServerName', 'Name', 'SiteCode', 'ResourceType',
            'InternetFacing', 'IsPXE', 'IsActive', 'Communication')
        foreach ($dp in @(Get-CMDistributionPointInfo)) {
            if ($null -eq $dp) { continue }
            $items.Add((Select-Object -InputObject $dp -Property $properties))
        }
        Write-ExportFile -FileName 'distribution-points.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'distribution-points.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- task-sequences.json ---------------------------------------------------------------------
    # No -Fast: References, BootImageID and Sequence are lazy properties; with -Fast they are $null
    # and the linter could not check content, boot image or steps.
    $cmdletName = 'Get-CMTaskSequence'
    try {
        $rawTaskSequences = New-Object -TypeName System.Collections.Generic.List[object]
        foreach ($id in $requestedIds) {
            $found = @(Get-CMTaskSequence -TaskSequencePackageId $id)
            if ($found.Count -eq 0) {
                Write-Warning ('Task sequence with package ID {0} was not found.' -f $id)
            }
            foreach ($taskSequence in $found) { $rawTaskSequences.Add($taskSequence) }
        }
        foreach ($name in $requestedNames) {
            $found = @(Get-CMTaskSequence -Name $name)
            if ($found.Count -eq 0) {
                Write-Warning ("Task sequence named '{0}' was not found." -f $name)
            }
            foreach ($taskSequence in $found) { $rawTaskSequences.Add($taskSequence) }
        }

        $properties = @('SmsProviderObjectPath', 'PackageID', 'Name', 'PackageType', 'Type', 'BootImageID',
            'References', 'ReferencesCount', 'DependentProgram', 'Sequence', 'AlternateContentProviders',
            'TaskSequenceFlags', 'SourceDate')
        $seenTaskSequences = @{}
        $exportList = New-Object -TypeName System.Collections.Generic.List[object]
        $idList = New-Object -TypeName System.Collections.Generic.List[string]
        foreach ($taskSequence in $rawTaskSequences) {
            if ($null -eq $taskSequence) { continue }
            $packageId = [string](Get-PropertyValue -InputObject $taskSequence -Name 'PackageID')
            if ([string]::IsNullOrEmpty($packageId) -or $seenTaskSequences.ContainsKey($packageId)) { continue }
            $seenTaskSequences[$packageId] = $true

            $selected = Select-Object -InputObject $taskSequence -Property $properties
            Set-EmbeddedArray -Target $selected -Name 'References' -Property @('Package', 'Program', 'Type')
            if ($null -ne $selected.Sequence) {
                $selected.Sequence = Remove-SequenceSecret -Sequence ([string]$selected.Sequence)
            }
            $exportList.Add($selected)
            $idList.Add($packageId)
        }
        Write-ExportFile -FileName 'task-sequences.json' -Cmdlet $cmdletName -Items $exportList
        foreach ($entry in $exportList) { $tsItems.Add($entry) }
        foreach ($entry in $idList) { $resolvedTsIds.Add($entry) }
        $tsExportOk = $true
    }
    catch {
        Write-FamilyFailure -FileName 'task-sequences.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- task-sequence-steps.json (optional) -----------------------------------------------------
    if ($IncludeSteps) {
        $cmdletName = 'Get-CMTaskSequenceStep'
        if (-not $tsExportOk) {
            Write-FamilyFailure -FileName 'task-sequence-steps.json' -Cmdlet $cmdletName -Reason 'skipped because the task sequences could not be exported'
        }
        else {
            try {
                $items = New-Object -TypeName System.Collections.Generic.List[object]
                # Steps are polymorphic (one class per step type), so all properties are kept; nested
                # groups and conditions are flattened to plain objects within the JSON depth.
                $stepDepth = [Math]::Max(3, $Depth - 2)
                foreach ($tsId in $resolvedTsIds) {
                    foreach ($step in @(Get-CMTaskSequenceStep -TaskSequenceId $tsId)) {
                        if ($null -eq $step) { continue }
                        $secretNames = @($step.PSObject.Properties |
                                Where-Object { $_.Name -match $SecretNamePattern } |
                                ForEach-Object { $_.Name })
                        if ($secretNames.Count -gt 0) {
                            $selected = Select-Object -InputObject $step -Property * -ExcludeProperty $secretNames
                        }
                        else {
                            $selected = Select-Object -InputObject $step -Property *
                        }
                        foreach ($noteProperty in @($selected.PSObject.Properties)) {
                            $noteProperty.Value = ConvertTo-PlainValue -Value $noteProperty.Value -MaxDepth $stepDepth
                        }
                        Add-NoteProperty -Target $selected -Name 'TaskSequenceId' -Value $tsId
                        $items.Add($selected)
                    }
                }
                Write-ExportFile -FileName 'task-sequence-steps.json' -Cmdlet $cmdletName -Items $items
            }
            catch {
                Write-FamilyFailure -FileName 'task-sequence-steps.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
            }
        }
    }

    # --- deployments.json ------------------------------------------------------------------------
    $cmdletName = 'Get-CMTaskSequenceDeployment'
    if (-not $tsExportOk) {
        Write-FamilyFailure -FileName 'deployments.json' -Cmdlet $cmdletName -Reason 'skipped because the task sequences could not be exported'
    }
    else {
        try {
            $items = New-Object -TypeName System.Collections.Generic.List[object]
            $properties = @('SmsProviderObjectPath', 'AdvertisementID', 'AdvertisementName', 'PackageID', 'CollectionID',
                'ProgramName', 'OfferType', 'AdvertFlags', 'RemoteClientFlags', 'DeviceFlags', 'PresentTime',
                'PresentTimeEnabled', 'PresentTimeIsGMT', 'ExpirationTime', 'ExpirationTimeEnabled',
                'ExpirationTimeIsGMT', 'AssignedScheduleEnabled', 'Comment')
            foreach ($tsId in $resolvedTsIds) {
                foreach ($deployment in @(Get-CMTaskSequenceDeployment -TaskSequenceId $tsId)) {
                    if ($null -eq $deployment) { continue }
                    $items.Add((Select-Object -InputObject $deployment -Property $properties))
                }
            }
            Write-ExportFile -FileName 'deployments.json' -Cmdlet $cmdletName -Items $items
        }
        catch {
            Write-FamilyFailure -FileName 'deployments.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
        }
    }

    # --- content-status.json (per-DP/CMG state of everything the task sequences reference) --------
    $cmdletName = 'Get-CimInstance SMS_PackageStatusDistPointsSummarizer'
    if (-not $tsExportOk) {
        Write-FamilyFailure -FileName 'content-status.json' -Cmdlet $cmdletName -Reason 'skipped because the task sequences could not be exported'
    }
    else {
        try {
            # Deduplicated ids: package IDs (packages, images, drivers, boot image) and application
            # model names (References of Type 1), which the class stores in SecureObjectID.
            $packageIds = New-Object -TypeName System.Collections.Generic.List[string]
            $modelNames = New-Object -TypeName System.Collections.Generic.List[string]
            $seenIds = @{}
            foreach ($taskSequence in $tsItems) {
                $bootImageId = [string]$taskSequence.BootImageID
                if (-not [string]::IsNullOrWhiteSpace($bootImageId)) {
                    $bootImageId = $bootImageId.Trim()
                    if (-not $seenIds.ContainsKey($bootImageId)) {
                        $seenIds[$bootImageId] = $true
                        $packageIds.Add($bootImageId)
                    }
                }
                if ($null -eq $taskSequence.References) { continue }
                foreach ($reference in @($taskSequence.References)) {
                    if ($null -eq $reference) { continue }
                    $package = [string]$reference.Package
                    if ([string]::IsNullOrWhiteSpace($package)) { continue }
                    $package = $package.Trim()
                    $referenceType = 0
                    if ($null -ne $reference.Type) { $referenceType = [int]$reference.Type }
                    if ($referenceType -eq 1 -or $package.Contains('/')) {
                        # Model name without a trailing "/<version>", if one is present.
                        $modelName = $package -replace '/\d+$', ''
                        $key = 'model:' + $modelName
                        if (-not $seenIds.ContainsKey($key)) {
                            $seenIds[$key] = $true
                            $modelNames.Add($modelName)
                        }
                    }
                    elseif (-not $seenIds.ContainsKey($package)) {
                        $seenIds[$package] = $true
                        $packageIds.Add($package)
                    }
                }
            }

            $items = New-Object -TypeName System.Collections.Generic.List[object]
            if ($packageIds.Count -gt 0 -or $modelNames.Count -gt 0) {
                if ($null -eq $cimSession) {
                    $cimSession = New-ProviderCimSession -ComputerName $providerMachine
                }
                $namespace = "root\SMS\site_$siteCodeValue"
                $properties = @('PackageID', 'PackageType', 'SecureObjectID', 'SecuredTypeID', 'ServerNALPath',
                    'SiteCode', 'SourceNALPath', 'SourceVersion', 'State', 'SummaryDate', 'LastCopied',
                    @{ Name = '__CLASS'; Expression = { $_.CimClass.CimClassName } })
                $filters = New-Object -TypeName System.Collections.Generic.List[string]
                foreach ($packageId in $packageIds) {
                    $filters.Add(("PackageID='{0}'" -f (ConvertTo-WqlString -Value $packageId)))
                }
                foreach ($modelName in $modelNames) {
                    $filters.Add(("SecureObjectID='{0}'" -f (ConvertTo-WqlString -Value $modelName)))
                }
                $seenRows = @{}
                foreach ($filter in $filters) {
                    Write-Verbose ('SMS_PackageStatusDistPointsSummarizer where {0}' -f $filter)
                    $rows = @(Get-CimInstance -CimSession $cimSession -Namespace $namespace -ClassName 'SMS_PackageStatusDistPointsSummarizer' -Filter $filter)
                    foreach ($row in $rows) {
                        if ($null -eq $row) { continue }
                        $selected = Select-Object -InputObject $row -Property $properties
                        $rowKey = '{0}|{1}|{2}' -f $selected.PackageID, $selected.ServerNALPath, $selected.SiteCode
                        if ($seenRows.ContainsKey($rowKey)) { continue }
                        $seenRows[$rowKey] = $true
                        $items.Add($selected)
                    }
                }
            }
            Write-ExportFile -FileName 'content-status.json' -Cmdlet $cmdletName -Items $items
        }
        catch {
            Write-FamilyFailure -FileName 'content-status.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
        }
    }

    # --- client-settings.json (Default and device settings with their Cloud Services values) -----
    $clientSettingsOk = $false
    $customSettingNames = New-Object -TypeName System.Collections.Generic.List[string]
    $cmdletName = 'Get-CMClientSetting'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'Name', 'SettingsID', 'Priority', 'Type', 'Enabled', 'Description', 'UniqueID')
        $allSettings = New-Object -TypeName System.Collections.Generic.List[object]
        $defaultSeen = $false
        foreach ($setting in @(Get-CMClientSetting)) {
            if ($null -eq $setting) { continue }
            $allSettings.Add($setting)
            $settingType = Get-PropertyValue -InputObject $setting -Name 'Type'
            if (($null -ne $settingType -and [int]$settingType -eq 0) -or
                ([string](Get-PropertyValue -InputObject $setting -Name 'SmsProviderObjectPath') -like 'SMS_ClientSettingsDefault*')) {
                $defaultSeen = $true
            }
        }
        if (-not $defaultSeen) {
            # The Default Client Settings are what a freshly installed client gets (CS-04); make sure
            # they are in the export even if the plain list did not include them.
            try {
                foreach ($setting in @(Get-CMClientSetting -SettingType Default)) {
                    if ($null -ne $setting) { $allSettings.Add($setting) }
                }
            }
            catch {
                Write-Warning ('Get-CMClientSetting -SettingType Default failed; the Default Client Settings may be missing: {0}' -f $_.Exception.Message)
            }
        }
        foreach ($setting in $allSettings) {
            $settingType = Get-PropertyValue -InputObject $setting -Name 'Type'
            # User settings (Type 2) do not apply in WinPE or to the device; skip them.
            if ($null -ne $settingType -and [int]$settingType -eq 2) { continue }

            $selected = Select-Object -InputObject $setting -Property $properties
            $settingName = [string]$selected.Name
            $isDefault = ($null -ne $settingType -and [int]$settingType -eq 0) -or
                ([string]$selected.SmsProviderObjectPath -like 'SMS_ClientSettingsDefault*')

            $cloud = $null
            $cloudError = $null
            try {
                $nameSplat = Get-NameSplat -Name $settingName
                $rawCloud = @(Get-CMClientSetting @nameSplat -Setting Cloud)
                $cloud = ConvertTo-CloudSettingObject -InputObject $rawCloud
            }
            catch {
                $cloudError = $_.Exception.Message
            }
            if ($isDefault -and $null -eq $cloud) {
                # The Default Client Settings always carry the Cloud Services group; if the lookup by
                # name failed or returned nothing, address them by type instead.
                try {
                    $rawCloud = @(Get-CMClientSetting -SettingType Default -Setting Cloud)
                    $cloud = ConvertTo-CloudSettingObject -InputObject $rawCloud
                    if ($null -ne $cloud) { $cloudError = $null }
                }
                catch {
                    if ($null -eq $cloudError) { $cloudError = $_.Exception.Message }
                }
            }
            if ($null -ne $cloudError) {
                Write-Warning ("Get-CMClientSetting -Name '{0}' -Setting Cloud failed; Cloud is null: {1}" -f $settingName, $cloudError)
            }
            # Cloud = $null means "this setting does not configure Cloud Services";
            # CloudQueryError tells the linter when that null is really "could not read".
            Add-NoteProperty -Target $selected -Name 'Cloud' -Value $cloud
            Add-NoteProperty -Target $selected -Name 'CloudQueryError' -Value $cloudError
            $items.Add($selected)

            if (-not $isDefault -and -not [string]::IsNullOrEmpty($settingName)) {
                $customSettingNames.Add($settingName)
            }
        }
        Write-ExportFile -FileName 'client-settings.json' -Cmdlet $cmdletName -Items $items
        $clientSettingsOk = $true
    }
    catch {
        Write-FamilyFailure -FileName 'client-settings.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- client-setting-deployments.json ---------------------------------------------------------
    $cmdletName = 'Get-CMClientSettingDeployment'
    if (-not $clientSettingsOk) {
        Write-FamilyFailure -FileName 'client-setting-deployments.json' -Cmdlet $cmdletName -Reason 'skipped because the client settings could not be exported'
    }
    else {
        try {
            $items = New-Object -TypeName System.Collections.Generic.List[object]
            $properties = @('SmsProviderObjectPath', 'AssignmentID', 'ClientSettingsID', 'CollectionID', 'CollectionName')
            foreach ($settingName in $customSettingNames) {
                $nameSplat = Get-NameSplat -Name $settingName
                foreach ($assignment in @(Get-CMClientSettingDeployment @nameSplat)) {
                    if ($null -eq $assignment) { continue }
                    $items.Add((Select-Object -InputObject $assignment -Property $properties))
                }
            }
            Write-ExportFile -FileName 'client-setting-deployments.json' -Cmdlet $cmdletName -Items $items
        }
        catch {
            Write-FamilyFailure -FileName 'client-setting-deployments.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
        }
    }

    # --- boot-images.json ------------------------------------------------------------------------
    $cmdletName = 'Get-CMBootImage'
    if (-not $tsExportOk) {
        Write-FamilyFailure -FileName 'boot-images.json' -Cmdlet $cmdletName -Reason 'skipped because the task sequences could not be exported'
    }
    else {
        try {
            $items = New-Object -TypeName System.Collections.Generic.List[object]
            $properties = @('SmsProviderObjectPath', 'PackageID', 'Name', 'Architecture', 'ImageOSVersion',
                'SourceVersion', 'EnableLabShell')
            $seenBootImages = @{}
            foreach ($taskSequence in $tsItems) {
                $bootImageId = [string]$taskSequence.BootImageID
                if ([string]::IsNullOrWhiteSpace($bootImageId)) { continue }
                $bootImageId = $bootImageId.Trim()
                if ($seenBootImages.ContainsKey($bootImageId)) { continue }
                $seenBootImages[$bootImageId] = $true
                $found = @(Get-CMBootImage -Id $bootImageId)
                if ($found.Count -eq 0) {
                    Write-Warning ('Boot image {0} (referenced by {1}) was not found.' -f $bootImageId, $taskSequence.PackageID)
                }
                foreach ($bootImage in $found) {
                    if ($null -eq $bootImage) { continue }
                    $items.Add((Select-Object -InputObject $bootImage -Property $properties))
                }
            }
            Write-ExportFile -FileName 'boot-images.json' -Cmdlet $cmdletName -Items $items
        }
        catch {
            Write-FamilyFailure -FileName 'boot-images.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
        }
    }

    # --- certificates.json (boot media certificates; no Certificate/PublicKey/Thumbprint) ---------
    # -Fast: the lazy properties are exactly the blobs that must not be exported.
    $cmdletName = 'Get-CMCertificate -CertificateType BootMedia -Fast'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'SMSID', 'Type', 'KeyType', 'IsBlocked', 'IsApproved',
            'ValidFrom', 'ValidUntil', 'IssuedTo', 'ServerName')
        foreach ($certificate in @(Get-CMCertificate -CertificateType BootMedia -Fast)) {
            if ($null -eq $certificate) { continue }
            $items.Add((Select-Object -InputObject $certificate -Property $properties))
        }
        Write-ExportFile -FileName 'certificates.json' -Cmdlet $cmdletName -Items $items
    }
    catch {
        Write-FamilyFailure -FileName 'certificates.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    # --- boundary-groups.json and boundary-group-site-systems.json --------------------------------
    $boundaryGroupsOk = $false
    $groupIds = New-Object -TypeName System.Collections.Generic.List[string]
    $cmdletName = 'Get-CMBoundaryGroup'
    try {
        $items = New-Object -TypeName System.Collections.Generic.List[object]
        $properties = @('SmsProviderObjectPath', 'GroupID', 'Name', 'Flags', 'DefaultSiteCode')
        foreach ($group in @(Get-CMBoundaryGroup)) {
            if ($null -eq $group) { continue }
            $selected = Select-Object -InputObject $group -Property $properties
            $items.Add($selected)
            if ($null -ne $selected.GroupID) { $groupIds.Add([string]$selected.GroupID) }
        }
        Write-ExportFile -FileName 'boundary-groups.json' -Cmdlet $cmdletName -Items $items
        $boundaryGroupsOk = $true
    }
    catch {
        Write-FamilyFailure -FileName 'boundary-groups.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
    }

    $cmdletName = 'Get-CMBoundaryGroupSiteSystem'
    if (-not $boundaryGroupsOk) {
        Write-FamilyFailure -FileName 'boundary-group-site-systems.json' -Cmdlet $cmdletName -Reason 'skipped because the boundary groups could not be exported'
    }
    else {
        try {
            $items = New-Object -TypeName System.Collections.Generic.List[object]
            $properties = @('SmsProviderObjectPath', 'GroupID', 'ServerNALPath', 'SiteCode', 'Flags')
            foreach ($groupId in $groupIds) {
                foreach ($siteSystem in @(Get-CMBoundaryGroupSiteSystem -Id $groupId)) {
                    if ($null -eq $siteSystem) { continue }
                    $items.Add((Select-Object -InputObject $siteSystem -Property $properties))
                }
            }
            Write-ExportFile -FileName 'boundary-group-site-systems.json' -Cmdlet $cmdletName -Items $items
        }
        catch {
            Write-FamilyFailure -FileName 'boundary-group-site-systems.json' -Cmdlet $cmdletName -Reason $_.Exception.Message
        }
    }

    # --- manifest.json (a single object, written last) -------------------------------------------
    try {
        # The resolved package IDs; when the task sequences could not be exported, the IDs as given.
        $manifestTsIds = New-Object -TypeName System.Collections.Generic.List[string]
        if ($tsExportOk) {
            foreach ($id in $resolvedTsIds) { $manifestTsIds.Add($id) }
        }
        else {
            foreach ($id in $requestedIds) { $manifestTsIds.Add($id) }
        }
        $exportedAt = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
        $manifest = New-Object -TypeName PSObject -Property ([ordered]@{
                Tool            = 'Export-CMPreflight'
                ScriptVersion   = $ScriptVersion
                ExportedAt      = $exportedAt
                SiteCode        = $siteCodeValue
                PSVersion       = $PSVersionTable.PSVersion.ToString()
                Depth           = $Depth
                TaskSequenceIds = $manifestTsIds.ToArray()
                Files           = $ManifestFiles.ToArray()
            })
        $manifestJson = ConvertTo-Json -InputObject $manifest -Depth $JsonDepth
        $manifestPath = [System.IO.Path]::Combine($OutputPath, 'manifest.json')
        [System.IO.File]::WriteAllText($manifestPath, $manifestJson, $Utf8NoBom)
        Write-Host ('  {0,-34} {1,6} file(s) listed' -f 'manifest.json', $ManifestFiles.Count)
    }
    catch {
        Write-Warning ('manifest.json could not be written: {0}' -f $_.Exception.Message)
    }
}
finally {
    if ($null -ne $cimSession) {
        Remove-CimSession -CimSession $cimSession -ErrorAction SilentlyContinue
    }
    if ($pushed) {
        Pop-Location
    }
}

if ($FailedFamilies.Count -gt 0) {
    Write-Warning ('{0} file(s) not written: {1}' -f $FailedFamilies.Count, ($FailedFamilies.ToArray() -join ', '))
}
Write-Host ('Export finished: {0}' -f $OutputPath)
